import { auditLine, type ActionRequest, type Engine, type NodeResult } from '../../engine/index.ts'
import type { Logger } from '../logger.ts'
import { commandResource, errorDocument } from './serialize.ts'

/** The media type of a result stream: one JSON value a line (SPEC §12). */
export const NDJSON = 'application/x-ndjson'

/** Most milliseconds a stream stays silent: a progress line then says how far it got. */
export const PROGRESS_MS = 1000

/**
 * Whether the client asked for a result stream: `Accept` lists `application/x-ndjson` with a
 * non-zero quality, not below that of `application/json`. Anything else (no header, `*\/*`,
 * power-client 0.2's `application/json`) gets the JSON:API document.
 */
export function wantsStream(accept: string | undefined): boolean {
  if (!accept) return false
  const quality = new Map<string, number>()
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    const q = params.find((param) => param.startsWith('q='))
    const value = q === undefined ? 1 : Number(q.slice(2))
    quality.set(type, Number.isFinite(value) ? value : 0)
  }
  const ndjson = quality.get(NDJSON) ?? 0
  return ndjson > 0 && ndjson >= (quality.get('application/json') ?? 0)
}

/** What `streamResults` needs besides the action. */
export interface StreamOptions {
  readonly engine: Engine
  readonly logger: Logger
  /** Who asked, for the audit line. */
  readonly subject: string
  /** Aborts when the client goes away; the stream's own cancel aborts too. */
  readonly signal: AbortSignal
}

/** How far a request has got: the `meta` of node and progress lines. */
interface Progress {
  done: number
  total: number
  failed: number
  'waiting-for-rate': number
}

/**
 * Carry out `request` and answer with a result stream: a first `progress` line, one `commands`
 * resource per node as it finishes (with a `meta` of progress), a `progress` line whenever
 * nothing was sent for PROGRESS_MS, then one `summary` line. The audit line is written once, at the end, also when
 * the client went away and the nodes not yet started were cancelled.
 */
export function streamResults(
  request: Omit<ActionRequest, 'signal' | 'onResult'>,
  options: StreamOptions,
): Response {
  const { engine, logger } = options
  const gone = new AbortController()
  const signal = AbortSignal.any([options.signal, gone.signal])
  const encoder = new TextEncoder()
  const progress: Progress = {
    done: 0,
    total: request.names.length,
    failed: 0,
    'waiting-for-rate': 0,
  }
  const snapshot = (): Progress => ({
    ...progress,
    // The engine counts nodes waiting for the rate across every request: at most ours left.
    'waiting-for-rate': Math.min(engine.waitingForRate, progress.total - progress.done),
  })

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let lastWrite = performance.now()
      const write = (value: unknown) => {
        lastWrite = performance.now()
        if (signal.aborted) return
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`))
        } catch {
          // The client is gone; the engine still finishes and the audit is still written.
        }
      }
      // At once: the reply's headers go out with it, and the client learns the total.
      write({ type: 'progress', meta: snapshot() })
      const timer = setInterval(() => {
        if (performance.now() - lastWrite >= PROGRESS_MS)
          write({ type: 'progress', meta: snapshot() })
      }, PROGRESS_MS / 2)
      const onResult = (result: NodeResult) => {
        progress.done++
        if (!result.success) progress.failed++
        write({ ...commandResource(result), meta: snapshot() })
      }
      const finish = (close: () => void) => {
        clearInterval(timer)
        try {
          close()
        } catch {
          // Already cancelled by the client.
        }
      }
      engine.run({ ...request, signal, onResult }).then(
        (results) => {
          logger.info(auditLine(request.action, results, { subject: options.subject }))
          write({ type: 'summary', meta: summary(request.action, results) })
          finish(() => controller.close())
        },
        (error: unknown) => {
          logger.error(
            `${request.action}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          )
          write(
            errorDocument({
              status: 500,
              title: 'Internal Server Error',
              detail: 'Internal server error: see the server log',
              code: 'ERR_INTERNAL',
            }),
          )
          finish(() => controller.close())
        },
      )
    },
    cancel() {
      gone.abort()
    },
  })
  return new Response(body, {
    headers: { 'content-type': `${NDJSON}; charset=utf-8`, 'cache-control': 'no-store' },
  })
}

/**
 * The last line's counts: `succeeded + failed = total`; `missing` and `cancelled` are among
 * the failed; `status` adds how many are `on` and `off`.
 */
export function summary(action: string, results: readonly NodeResult[]): Record<string, unknown> {
  const count = (keep: (result: NodeResult) => boolean) => results.filter(keep).length
  return {
    action,
    total: results.length,
    succeeded: count((result) => result.success),
    failed: count((result) => !result.success),
    missing: count((result) => result.missing),
    cancelled: count((result) => result.cancelled === true),
    ...(action === 'status'
      ? {
          on: count((result) => !result.missing && result.state === 'on'),
          off: count((result) => !result.missing && result.state === 'off'),
        }
      : {}),
  }
}
