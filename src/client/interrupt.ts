import { EXIT_INTERRUPTED } from './errors.ts'

/** Ctrl-C caught for the length of one request, so the command can say how far it got. */
export interface Interrupt {
  /** Aborts on the first SIGINT. */
  readonly signal: AbortSignal
  /** Give SIGINT back its default behaviour. */
  release(): void
}

/**
 * Catch SIGINT until `release()`: the first aborts `signal` (closing the connection, which
 * cancels the nodes not yet started on the server); a second exits at once, should the first
 * not be enough.
 */
export function catchInterrupt(): Interrupt {
  const controller = new AbortController()
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  return { signal: controller.signal, release: () => void process.off('SIGINT', onSignal) }
}
