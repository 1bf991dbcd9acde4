import { Fifo } from './fifo.ts'

/** A unit of work the limiter starts at most once, or cancels if it is never started */
export interface Job {
  readonly key: string
  /** Starts the work, which calls `release` once it no longer needs its slot and key */
  start(release: () => void): void
  /** Tells the job it will never start */
  cancel(): void
}

/**
 * Runs jobs under one global limit, never two with the same key at once, FIFO per key.
 *
 * Only the oldest waiting job of each key sits in the ready queue, so every job there can start
 * as soon as a slot frees: dispatch never scans past jobs blocked on a busy key.
 */
export class Limiter {
  readonly #limit: number
  #active = 0
  #queued = 0
  readonly #ready = new Fifo<Job>()
  // A key is present while one of its jobs is running or ready; its value holds the jobs behind.
  readonly #keys = new Map<string, Fifo<Job>>()

  constructor(limit: number) {
    this.#limit = limit
  }

  get active(): number {
    return this.#active
  }

  get queued(): number {
    return this.#queued
  }

  add(job: Job): void {
    this.#queued++
    const behind = this.#keys.get(job.key)
    if (behind !== undefined) {
      behind.push(job)
      return
    }
    this.#keys.set(job.key, new Fifo())
    this.#ready.push(job)
    this.#dispatch()
  }

  /** Cancels every job that has not started; running jobs are left to finish */
  cancelWaiting(): void {
    const cancelled = this.#ready.drain()
    for (const job of cancelled) this.#keys.delete(job.key)
    for (const behind of this.#keys.values())
      for (const item of behind.drain()) cancelled.push(item)
    this.#queued = 0
    for (const job of cancelled) job.cancel()
  }

  #dispatch(): void {
    while (this.#active < this.#limit) {
      const job = this.#ready.shift()
      if (job === undefined) return
      this.#queued--
      this.#active++
      let released = false
      job.start(() => {
        if (released) return
        released = true
        this.#finish(job.key)
      })
    }
  }

  #finish(key: string): void {
    this.#active--
    const next = this.#keys.get(key)?.shift()
    if (next === undefined) this.#keys.delete(key)
    else this.#ready.push(next)
    this.#dispatch()
  }
}
