/** One script to run for one node */
export interface RunRequest {
  /** Serialisation key (the node name): never two runs with the same key at once */
  key: string
  /** Bash script text, run as given: values reach it only through `env` */
  script: string
  /** Exported to the script as environment variables, on top of the runner's base environment */
  env: Readonly<Record<string, string>>
  timeoutMs: number
}

/** What became of a run; script failures are reported here, never thrown */
export interface RunResult {
  /** Null when killed, timed out or not started */
  exitCode: number | null
  signal: string | null
  timedOut: boolean
  /** The last `maxOutputBytes` bytes written to the stream */
  stdout: string
  stderr: string
  durationMs: number
  /** Why the script did not run to completion: spawn failure, shutdown */
  error?: string
}

export interface RunnerOptions {
  /** Global limit on scripts running at once, across all callers (integer >= 1) */
  concurrency: number
  /** Working directory for scripts (default `os.tmpdir()`); must exist */
  cwd?: string
  /**
   * Environment every script starts with, under the node's variables and the run marker. The
   * default is PATH, HOME, LANG, USER, LOGNAME, SHELL and TZ from `process.env`; the server passes
   * its whole environment instead, less its config keys, `FLIGHT_POWER_*` and any variable
   * holding its JWT secret, so the runner passes exactly what it is given
   */
  baseEnv?: Readonly<Record<string, string>>
  /** Bytes kept from the end of each stream (default 65536) */
  maxOutputBytes?: number
  /** After a timeout the process group gets SIGTERM, then SIGKILL this much later (default 2000) */
  killGraceMs?: number
  /**
   * How long output is still read after the script itself has exited (default 300): a process it
   * started may hold its pipes open, and the run must not wait on that
   */
  pipeGraceMs?: number
  /** Shell to run scripts with (default `bash`, resolved on PATH) */
  shell?: string
}

export interface Runner {
  /** Runs a script once a slot is free and its key is idle; script failures are results */
  run(request: RunRequest): Promise<RunResult>
  /** Scripts running right now */
  readonly active: number
  /** Runs waiting for a slot or for their key */
  readonly queued: number
  /**
   * Kills every running script with all it started and resolves queued runs as not run; resolves
   * once nothing is left. Final
   */
  killAll(): Promise<void>
}
