import { errorMessage } from '../topology/index.ts'
import type { ProcessOutput } from 'zx'
import { BoundedOutput } from './bounded-output.ts'
import type { ShellChild } from './shell-child.ts'
import type { RunResult } from './types.ts'
import { signalGroup, type SpawnScript } from './zx-shell.ts'

export interface ScriptSpec {
  readonly script: string
  /** Holds `marker` already, so every process the script starts inherits it */
  readonly env: Record<string, string>
  readonly marker: string
  readonly timeoutMs: number
}

export interface ScriptSettings {
  readonly spawn: SpawnScript
  /** Kills every process still carrying `marker`; resolves once they are gone */
  readonly reap: (marker: string) => Promise<void>
  readonly maxOutputBytes: number
  readonly killGraceMs: number
  readonly pipeGraceMs: number
}

/** A script that has been started; `result` never rejects */
export interface RunningScript {
  readonly result: Promise<RunResult>
  /** Kills the script's process group, SIGTERM then SIGKILL; the result carries `reason` */
  kill(reason: string): void
}

/**
 * Starts one script in its own process group with a timeout, capturing bounded output. Its result
 * comes once every process carrying its marker is gone, however it ended.
 */
export function startScript(spec: ScriptSpec, settings: ScriptSettings): RunningScript {
  const startedAt = performance.now()
  const stdout = new BoundedOutput(settings.maxOutputBytes)
  const stderr = new BoundedOutput(settings.maxOutputBytes)
  const sinks = {
    stdout: (chunk: Uint8Array) => stdout.push(chunk),
    stderr: (chunk: Uint8Array) => stderr.push(chunk),
  }
  let spawned
  try {
    spawned = settings.spawn(spec.script, spec.env, sinks)
  } catch (error) {
    return notStarted(Promise.resolve(failure(startedAt, errorMessage(error))))
  }
  const { child, promise } = spawned
  if (child === undefined) {
    return notStarted(promise.then((output) => failure(startedAt, errorMessage(output.cause))))
  }
  const started = { child, promise, stdout, stderr, startedAt }
  return new ScriptProcess(started, spec, settings)
}

/** The result of a run that never started, because of `error` */
export function notRun(error: string, durationMs = 0): RunResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    stdout: '',
    stderr: '',
    durationMs,
    error,
  }
}

interface Started {
  readonly child: ShellChild
  readonly promise: Promise<ProcessOutput>
  readonly stdout: BoundedOutput
  readonly stderr: BoundedOutput
  readonly startedAt: number
}

function notStarted(result: Promise<RunResult>): RunningScript {
  return { result, kill() {} }
}

function failure(startedAt: number, error: string): RunResult {
  return notRun(`Cannot start script: ${error}`, elapsed(startedAt))
}

function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt)
}

class ScriptProcess implements RunningScript {
  readonly result: Promise<RunResult>
  readonly #child: ShellChild
  readonly #pid: number
  readonly #marker: string
  readonly #settings: ScriptSettings
  readonly #startedAt: number
  readonly #stdout: BoundedOutput
  readonly #stderr: BoundedOutput
  #resolve: (result: RunResult) => void = () => {}
  #exit: { code: number | null; signal: string | null } | undefined
  #timedOut = false
  #killedBecause: string | undefined
  #reaped: Promise<void> | undefined
  #settled = false
  #deadline: Timer | undefined
  #grace: Timer | undefined

  constructor(started: Started, spec: ScriptSpec, settings: ScriptSettings) {
    const { child, promise, startedAt } = started
    this.#child = child
    this.#pid = child.pid
    this.#marker = spec.marker
    this.#settings = settings
    this.#startedAt = startedAt
    this.#stdout = started.stdout
    this.#stderr = started.stderr
    this.result = new Promise((resolve) => (this.#resolve = resolve))
    child.once('exit', (code: number | null, signal: string | null) => this.#onExit(code, signal))
    // zx settles on 'close': the script has exited and every holder of its pipes is gone.
    promise.then(
      (output) => this.#onClose(output),
      (error: unknown) => this.#onFailure(error),
    )
    this.#deadline = setTimeout(() => this.#onDeadline(), spec.timeoutMs)
  }

  kill(reason: string): void {
    if (this.#settled || this.#killedBecause !== undefined) return
    this.#killedBecause = reason
    if (this.#exit === undefined) this.#terminate()
    else this.#settle()
  }

  #onExit(code: number | null, signal: string | null): void {
    this.#exit = { code, signal }
    clearTimeout(this.#deadline)
    clearTimeout(this.#grace)
    // Whatever the script left running goes with it: its group at once, then whatever left the
    // group but still carries the run's marker.
    signalGroup(this.#pid, 'SIGKILL')
    // Starts the sweep now; #settle waits for the same promise, which never rejects.
    void this.#reap()
    // Past the deadline, output still held open by an escaped process is not worth waiting for.
    if (this.#timedOut || this.#killedBecause !== undefined) return this.#settle()
    // Nor is it for a run that ended well: a process that holds the pipes without the marker
    // gets a short grace to let go of them.
    this.#grace = setTimeout(() => this.#settle(), this.#settings.pipeGraceMs)
  }

  #onClose(output: ProcessOutput): void {
    this.#exit ??= { code: output.exitCode, signal: output.signal }
    this.#settle()
  }

  /** zx rejected despite `nothrow`: end the run with the reason rather than leave it hanging */
  #onFailure(error: unknown): void {
    this.kill(`Script runner failed: ${errorMessage(error)}`)
  }

  #onDeadline(): void {
    this.#deadline = undefined
    this.#timedOut = true
    this.#terminate()
  }

  #terminate(): void {
    signalGroup(this.#pid, 'SIGTERM')
    this.#grace ??= setTimeout(() => signalGroup(this.#pid, 'SIGKILL'), this.#settings.killGraceMs)
  }

  #reap(): Promise<void> {
    this.#reaped ??= this.#settings.reap(this.#marker)
    return this.#reaped
  }

  #settle(): void {
    if (this.#settled) return
    this.#settled = true
    clearTimeout(this.#deadline)
    clearTimeout(this.#grace)
    this.#child.closePipes()
    const interrupted = this.#timedOut || this.#killedBecause !== undefined
    const result: RunResult = {
      exitCode: interrupted ? null : (this.#exit?.code ?? null),
      signal: this.#exit?.signal ?? null,
      timedOut: this.#timedOut,
      stdout: this.#stdout.toString(),
      stderr: this.#stderr.toString(),
      durationMs: elapsed(this.#startedAt),
    }
    if (this.#killedBecause !== undefined) result.error = this.#killedBecause
    // The run is over only once nothing it started is left.
    void this.#reap().then(() => this.#resolve(result))
  }
}
