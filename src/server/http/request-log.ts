import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../logger.ts'
import type { AppEnv } from './app-env.ts'
import { loggedTarget } from './logged-target.ts'
import { refusedLine } from './refused-audit.ts'
import { NDJSON } from './stream.ts'

/**
 * One `info` line per request (method, path, redacted query, status, time, subject), and for
 * a refused one (401, 403) an audit line at `warn` with the reason and the peer address.
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now()
    await next()
    const log = () => {
      const ms = Math.round(performance.now() - started)
      const request = `${c.req.method} ${loggedTarget(c.req.url)}`
      const principal = c.get('principal')
      // Quoted as JSON: a token's `sub` is the client's text and must not forge log lines.
      const subject = principal ? JSON.stringify(principal.subject) : '-'
      logger.info(`${request} ${c.res.status} ${ms}ms subject=${subject}`)
      const status = c.res.status
      if (status === 401 || status === 403) {
        logger.warn(refusedLine({ status, request, peer: c.env?.peer, principal, error: c.error }))
      }
    }
    // A result stream's headers go out at once; its line waits for its end, so the time it
    // gives is the action's, not how long the first line took.
    const body = c.res.body
    if (body && c.res.headers.get('content-type')?.startsWith(NDJSON)) {
      c.res = new Response(onEnd(body, log), c.res)
    } else {
      log()
    }
  }
}

/** `body` as it is, calling `end` once when it has been read to its end, failed or was cancelled. */
function onEnd(body: ReadableStream<Uint8Array>, end: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let ended = false
  const once = () => {
    if (ended) return
    ended = true
    end()
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (!done) return controller.enqueue(value)
        controller.close()
      } catch (error) {
        controller.error(error)
      }
      once()
    },
    async cancel(reason) {
      once()
      await reader.cancel(reason)
    },
  })
}
