import { systemClock } from '../engine/index.ts'
import { RedfishError } from './errors.ts'

/**
 * What one step may spend: a deadline (the platform's timeout for the key), the caller's
 * signal, and how many 503/429 answers it may wait out (the platform's `retries`).
 */
export class Budget {
  readonly deadline: number
  readonly signal: AbortSignal | undefined
  readonly timeoutMs: number
  #retriesLeft: number

  constructor(options: { timeoutMs: number; retries?: number; signal?: AbortSignal }) {
    this.timeoutMs = options.timeoutMs
    this.deadline = Date.now() + options.timeoutMs
    this.signal = options.signal
    this.#retriesLeft = options.retries ?? 0
  }

  get leftMs(): number {
    return this.deadline - Date.now()
  }

  /** Take one retry, when any is left. */
  takeRetry(): boolean {
    if (this.#retriesLeft <= 0) return false
    this.#retriesLeft--
    return true
  }

  /** A signal for one request: aborts at the deadline or with the caller's signal. */
  requestSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(Math.max(1, this.leftMs))
    return this.signal ? AbortSignal.any([timeout, this.signal]) : timeout
  }

  /** Wait `ms` unless that would pass the deadline or the signal aborts. */
  async sleep(ms: number, host: string): Promise<void> {
    if (ms >= this.leftMs) throw this.timedOut(host)
    // The engine's clock rejects at once for an aborted signal, and on abort while it waits.
    await systemClock.sleep(ms, this.signal).catch(() => {
      throw this.aborted()
    })
  }

  timedOut(host: string): RedfishError {
    return new RedfishError(
      'ERR_REDFISH_TIMEOUT',
      `timed out after ${this.timeoutMs / 1000}s waiting for BMC "${host}"`,
    )
  }

  aborted(): RedfishError {
    return new RedfishError('ERR_REDFISH_ABORTED', 'cancelled')
  }
}
