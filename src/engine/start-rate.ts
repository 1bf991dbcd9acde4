import type { Clock } from './clock.ts'
import { Gate } from './gate.ts'

/**
 * Spaces power-ons: at most `perMinute` starts a minute, measured between actual starts, so a
 * node that waited for a worker slot never lets the next ones bunch up behind it (breakers
 * trip on bursts, not on averages). One permit at a time: the holder waits for its turn, then
 * for whatever else it needs, and calls `started()` the moment its power-on begins.
 */
export class StartRate {
  #intervalMs: number
  #lastStart = Number.NEGATIVE_INFINITY
  readonly #turn = new Gate(1)
  readonly #clock: Clock

  constructor(perMinute: number, clock: Clock) {
    this.#intervalMs = intervalOf(perMinute)
    this.#clock = clock
  }

  /** Change the rate (a topology reload); waiting callers keep their places. */
  set perMinute(perMinute: number) {
    this.#intervalMs = intervalOf(perMinute)
  }

  /** Callers waiting for their turn, not counting the one holding it. */
  get waiting(): number {
    return this.#turn.waiting
  }

  /**
   * Wait for this caller's turn and for the interval since the last start; resolves with
   * `done`, which the caller must call once: `done(true)` when its power-on began now,
   * `done(false)` when it gave up without starting (the next caller need not wait for it).
   */
  async acquire(signal?: AbortSignal): Promise<(started: boolean) => void> {
    const release = await this.#turn.acquire(signal)
    try {
      const wait = this.#lastStart + this.#intervalMs - this.#clock.now()
      if (wait > 0) await this.#clock.sleep(wait, signal)
    } catch (error) {
      release()
      throw error
    }
    return (started) => {
      if (started) this.#lastStart = this.#clock.now()
      release()
    }
  }
}

function intervalOf(perMinute: number): number {
  if (!(perMinute > 0)) throw new RangeError(`StartRate: rate must be above 0, got ${perMinute}`)
  return 60_000 / perMinute
}
