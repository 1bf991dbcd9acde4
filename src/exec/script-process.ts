import type { ProcessOutput } from 'zx'
import { BoundedOutput } from './bounded-output.ts'
import type { ShellChild } from './shell-child.ts'
import type { RunResult } from './types.ts'
import { signalGroup, type SpawnScript } from './zx-shell.ts'

export interface ScriptSpec {
  readonly script: string
  readonly env: Record<string, string>
  readonly timeoutMs: number
}

export interface ScriptSettings {
  readonly spawn: SpawnScript
  readonly maxOutputBytes: number
  readonly killGraceMs: number
}

/** A script that has been started; `result` never rejects */
export interface RunningScript {
  readonly result: Promise<RunResult>
  /** Kills the script's process group, SIGTERM then SIGKILL; the result carries `reason` */
  kill(reason: string): void
}

/** Starts one script in its own process group with a timeout, capturing bounded output */
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
    return notStarted(Promise.resolve(failure(startedAt, describeError(error))))
  }
  const { child, promise } = spawned
  if (child === undefined) {
    return notStarted(promise.then((output) => failure(startedAt, describeError(output.cause))))
  }
  const started = { child, promise, stdout, stderr, startedAt }
  return new ScriptProcess(started, spec.timeoutMs, settings)
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

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt)
}

class ScriptProcess implements RunningScript {
  readonly result: Promise<RunResult>
  readonly #child: ShellChild
  readonly #pid: number
  readonly #killGraceMs: number
  readonly #startedAt: number
  readonly #stdout: BoundedOutput
  readonly #stderr: BoundedOutput
  #resolve: (result: RunResult) => void = () => {}
  #exit: { code: number | null; signal: string | null } | undefined
  #timedOut = false
  #killedBecause: string | undefined
  #settled = false
  #deadline: Timer | undefined
  #grace: Timer | undefined

  constructor(started: Started, timeoutMs: number, settings: ScriptSettings) {
    const { child, promise, startedAt } = started
    this.#child = child
    this.#pid = child.pid
    this.#killGraceMs = settings.killGraceMs
    this.#startedAt = startedAt
    this.#stdout = started.stdout
    this.#stderr = started.stderr
    this.result = new Promise((resolve) => (this.#resolve = resolve))
    child.once('exit', (code, signal) => this.#onExit(code, signal))
    // zx settles on 'close': the script has exited and every holder of its pipes is gone.
    promise.then((output) => this.#onClose(output))
    this.#deadline = setTimeout(() => this.#onDeadline(), timeoutMs)
  }

  kill(reason: string): void {
    if (this.#settled || this.#killedBecause !== undefined) return
    this.#killedBecause = reason
    if (this.#exit === undefined) this.#terminate()
    else this.#settle()
  }

  #onExit(code: number | null, signal: string | null): void {
    this.#exit = { code, signal }
    // Whatever the script left running in its group goes with it.
    signalGroup(this.#pid, 'SIGKILL')
    // Past the deadline, output still held open by an escaped process is not worth waiting for.
    if (this.#timedOut || this.#killedBecause !== undefined) this.#settle()
  }

  #onClose(output: ProcessOutput): void {
    this.#exit ??= { code: output.exitCode, signal: output.signal }
    this.#settle()
  }

  #onDeadline(): void {
    this.#deadline = undefined
    // The script exited in time but something outside its group still holds its pipes.
    if (this.#exit !== undefined) return this.#settle()
    this.#timedOut = true
    this.#terminate()
  }

  #terminate(): void {
    signalGroup(this.#pid, 'SIGTERM')
    this.#grace ??= setTimeout(() => signalGroup(this.#pid, 'SIGKILL'), this.#killGraceMs)
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
    this.#resolve(result)
  }
}
