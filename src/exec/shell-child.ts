import { EventEmitter } from 'node:events'
import type { SpawnOptions } from 'node:child_process'
import type { ReadableStreamDefaultReader } from 'node:stream/web'

/** Where a child's output goes, chunk by chunk, as it arrives */
export interface OutputSinks {
  readonly stdout: (chunk: Uint8Array) => void
  readonly stderr: (chunk: Uint8Array) => void
}

/**
 * A `Bun.spawn` subprocess with the part of `ChildProcess` that zx's exec uses: `pid`, `kill()`,
 * the `exit` and `close` events, and no stdio streams, so zx has nothing to pipe or store.
 *
 * Why not node:child_process: each run's pipes and stream wrappers keep native memory until a
 * garbage collection gets to them, so ~1,000 `exit 0` scripts a second held RSS near 270 MB;
 * through Bun's own pipes, read to their end or cancelled here, it stays near 100 MB.
 */
export class ShellChild extends EventEmitter {
  readonly pid: number
  readonly stdin = null
  readonly stdout = null
  readonly stderr = null
  readonly #process: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  readonly #stdout: ReadableStreamDefaultReader<Uint8Array>
  readonly #stderr: ReadableStreamDefaultReader<Uint8Array>

  /** Runs `command` with `options.shell`; throws at once if it cannot start (zx reports that) */
  constructor(command: string, options: SpawnOptions, sinks: OutputSinks) {
    super()
    this.#process = Bun.spawn([String(options.shell), '-c', command], {
      cwd: options.cwd?.toString(),
      env: options.env as Record<string, string>,
      detached: options.detached,
      // No stdin: a script that reads fails at once instead of hanging until its timeout.
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    this.pid = this.#process.pid
    this.#stdout = this.#process.stdout.getReader()
    this.#stderr = this.#process.stderr.getReader()
    const exited = this.#process.exited.then(() => {
      this.emit('exit', this.#process.exitCode, this.#process.signalCode)
    })
    // As with node, 'close' waits for the exit and for both pipes to reach their end.
    void Promise.all([
      exited,
      pump(this.#stdout, sinks.stdout),
      pump(this.#stderr, sinks.stderr),
    ]).then(() => {
      this.emit('close', this.#process.exitCode, this.#process.signalCode)
    })
  }

  kill(signal?: NodeJS.Signals | number): boolean {
    this.#process.kill(signal)
    return true
  }

  /** Stops reading output, closing the pipes a process outside the group may still hold open */
  closePipes(): void {
    this.#stdout.cancel().catch(() => {})
    this.#stderr.cancel().catch(() => {})
  }
}

async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  sink: (chunk: Uint8Array) => void,
): Promise<void> {
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      sink(value)
    }
  } catch {
    // Cancelled by closePipes(): the output so far is all there will be.
  }
}
