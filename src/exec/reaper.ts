import { findMarked } from './marked-processes.ts'

/**
 * The environment variable that ties every process of a run to it, even after setsid. Not
 * `FLIGHT_POWER_*`: that prefix is the tool's own configuration, which never reaches scripts.
 */
export const RUN_MARKER = 'FLIGHT_RUN_ID'

// A sweep that killed something runs again for the same marker, for children forked meanwhile;
// a process that outlives this many SIGKILLs (stuck in the kernel) is left to its fate.
const MAX_ROUNDS = 8

interface Waiting {
  rounds: number
  readonly done: Promise<void>
  readonly resolve: () => void
}

/**
 * Hands out run markers and kills every process still carrying one once its run ends. One /proc
 * sweep serves every marker reaped since the last, and sweeps take at most half of one core, so
 * a thousand runs a second cost a few sweeps, not a thousand.
 *
 * Not closed: a process caught in the middle of an execve reads as having no environment (the
 * kernel has not yet set up the new one), so one that escaped and was exec'ing at the very
 * moment of its run's last sweep survives it.
 */
export class Reaper {
  // 128 random bits per runner: no other user can predict a marker, so none can plant one.
  // Web Crypto, not node:crypto, which costs every client start-up ~13 ms to load.
  readonly #prefix = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex')
  readonly #uid = process.getuid?.() ?? -1
  #count = 0
  #pending = new Map<string, Waiting>()
  #scheduled = false
  #nextSweepAt = 0
  #sweeps = 0

  /** A marker no run of any runner has had */
  newMarker(): string {
    return `${this.#prefix}-${++this.#count}`
  }

  /** /proc sweeps so far */
  get sweeps(): number {
    return this.#sweeps
  }

  /** SIGKILLs every process of our uid carrying `marker`; resolves once none is left, never rejects */
  reap(marker: string): Promise<void> {
    const pending = this.#pending.get(marker)
    if (pending !== undefined) return pending.done
    let resolve = () => {}
    const done = new Promise<void>((r) => (resolve = r))
    this.#pending.set(marker, { rounds: 0, done, resolve })
    this.#schedule()
    return done
  }

  #schedule(): void {
    if (this.#scheduled || this.#pending.size === 0) return
    this.#scheduled = true
    const wait = this.#nextSweepAt - performance.now()
    // Runs that end in the same turn of the event loop share the sweep either way; a timer of
    // 0 ms still waits about a millisecond, which every run's result would wait with it.
    if (wait > 0) setTimeout(() => this.#sweep(), wait)
    else setImmediate(() => this.#sweep())
  }

  #sweep(): void {
    this.#scheduled = false
    const batch = this.#pending
    this.#pending = new Map()
    const started = performance.now()
    const killed = this.#kill(new Set(batch.keys()))
    for (const [marker, waiting] of batch) {
      if (killed.has(marker) && ++waiting.rounds < MAX_ROUNDS) this.#pending.set(marker, waiting)
      else waiting.resolve()
    }
    this.#sweeps++
    const finished = performance.now()
    this.#nextSweepAt = finished + (finished - started)
    this.#schedule()
  }

  /** Kills the processes carrying `markers`, returning the markers something was killed for */
  #kill(markers: ReadonlySet<string>): Set<string> {
    const killed = new Set<string>()
    let found
    try {
      found = findMarked({ name: RUN_MARKER, markers, uid: this.#uid, exclude: process.pid })
    } catch {
      // No /proc to read: there is nothing more a sweep could do.
      return killed
    }
    for (const { pid, marker } of found) {
      try {
        process.kill(pid, 'SIGKILL')
        killed.add(marker)
      } catch {
        // Exited since the sweep found it.
      }
    }
    return killed
  }
}
