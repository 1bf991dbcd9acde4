import { Fifo } from '../exec/index.ts'

/**
 * A first-come first-served semaphore: `acquire` resolves with a release function once one of
 * `limit` places is free, or rejects with the signal's reason if it aborts while waiting.
 */
export class Gate {
  readonly #limit: number
  #held = 0
  #waiting = 0
  readonly #queue = new Fifo<Waiter>()

  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`Gate: limit must be at least 1, got ${limit}`)
    this.#limit = limit
  }

  /** Places held now. */
  get held(): number {
    return this.#held
  }

  /** Callers waiting for a place. */
  get waiting(): number {
    return this.#waiting
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error)
    if (this.#held < this.#limit && this.#waiting === 0) return Promise.resolve(this.#grant())
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, done: false }
      waiter.onAbort = () => {
        if (waiter.done) return
        waiter.done = true
        this.#waiting--
        reject(signal?.reason as Error)
      }
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
      this.#waiting++
      this.#queue.push(waiter)
    })
  }

  #grant(): () => void {
    this.#held++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#held--
      this.#next()
    }
  }

  #next(): void {
    while (this.#held < this.#limit) {
      const waiter = this.#queue.shift()
      if (waiter === undefined) return
      if (waiter.done) continue
      waiter.done = true
      this.#waiting--
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort)
      waiter.resolve(this.#grant())
    }
  }
}

interface Waiter {
  resolve: (release: () => void) => void
  reject: (reason: Error) => void
  signal: AbortSignal | undefined
  onAbort?: () => void
  done: boolean
}

/** One Gate of one place per key (a node): never two holders of the same key at once. */
export class KeyedLocks {
  readonly #gates = new Map<string, Gate>()

  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    let gate = this.#gates.get(key)
    if (gate === undefined) this.#gates.set(key, (gate = new Gate(1)))
    const held = gate
    const unlock = (release: () => void) => () => {
      release()
      this.#forget(key, held)
    }
    // No async function: an uncontended key costs one resolved promise, not a generator.
    return held.acquire(signal).then(unlock, (error: unknown) => {
      this.#forget(key, held)
      throw error
    })
  }

  // An idle key's gate is dropped, so 100,000 nodes cost nothing between actions.
  #forget(key: string, gate: Gate): void {
    if (gate.held === 0 && gate.waiting === 0 && this.#gates.get(key) === gate)
      this.#gates.delete(key)
  }
}
