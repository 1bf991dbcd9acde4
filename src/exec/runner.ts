import { Limiter } from './limiter.ts'
import { resolveOptions } from './options.ts'
import { Reaper, RUN_MARKER } from './reaper.ts'
import { notRun, startScript, type RunningScript, type ScriptSettings } from './script-process.ts'
import type { Runner, RunnerOptions, RunRequest, RunResult } from './types.ts'
import { YoungGarbage } from './young-garbage.ts'
import { createZxShell } from './zx-shell.ts'

const SHUT_DOWN = 'Runner was shut down'
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * Creates the runner that executes platform scripts: one global concurrency limit, one run per
 * key at a time, every run in its own process group with a timeout, and nothing a run started
 * (even outside its group) left running once it ends.
 */
export function createRunner(options: RunnerOptions): Runner {
  const resolved = resolveOptions(options)
  const reaper = new Reaper()
  const settings: ScriptSettings = {
    spawn: createZxShell(resolved),
    reap: (marker) => reaper.reap(marker),
    maxOutputBytes: resolved.maxOutputBytes,
    killGraceMs: resolved.killGraceMs,
    pipeGraceMs: resolved.pipeGraceMs,
  }
  return new ScriptRunner(resolved.concurrency, resolved.baseEnv, settings, reaper)
}

class ScriptRunner implements Runner {
  readonly #limiter: Limiter
  readonly #baseEnv: Readonly<Record<string, string>>
  readonly #settings: ScriptSettings
  readonly #reaper: Reaper
  readonly #running = new Set<RunningScript>()
  readonly #garbage = new YoungGarbage()
  #closed = false

  constructor(
    concurrency: number,
    baseEnv: Readonly<Record<string, string>>,
    settings: ScriptSettings,
    reaper: Reaper,
  ) {
    this.#limiter = new Limiter(concurrency)
    this.#baseEnv = baseEnv
    this.#settings = settings
    this.#reaper = reaper
  }

  get active(): number {
    return this.#limiter.active
  }

  get queued(): number {
    return this.#limiter.queued
  }

  run(request: RunRequest): Promise<RunResult> {
    const { key, timeoutMs } = request
    // setTimeout fires at once for NaN and overflows past 2^31-1: both would silently misbehave.
    if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
      const message = `Invalid run request for "${key}": timeoutMs must be between 0 and ${MAX_TIMEOUT_MS}, got ${timeoutMs}`
      return Promise.reject(new RangeError(message))
    }
    if (this.#closed) return Promise.resolve(notRun(SHUT_DOWN))
    return new Promise((resolve) => {
      this.#limiter.add({
        key: request.key,
        start: (release) => this.#start(request, release, resolve),
        cancel: () => resolve(notRun(SHUT_DOWN)),
      })
    })
  }

  async killAll(): Promise<void> {
    this.#closed = true
    this.#limiter.cancelWaiting()
    const running = [...this.#running]
    for (const script of running) script.kill(SHUT_DOWN)
    await Promise.all(running.map((script) => script.result))
  }

  #start(request: RunRequest, release: () => void, resolve: (result: RunResult) => void): void {
    // The marker comes last: no base or node variable can replace it.
    const marker = this.#reaper.newMarker()
    const env = { ...this.#baseEnv, ...request.env, [RUN_MARKER]: marker }
    const spec = { script: request.script, env, marker, timeoutMs: request.timeoutMs }
    const script = startScript(spec, this.#settings)
    this.#running.add(script)
    void script.result.then((result) => {
      this.#running.delete(script)
      this.#garbage.runFinished()
      // Free the slot first, so a caller seeing the result also sees the runner without it.
      release()
      resolve(result)
    })
  }
}
