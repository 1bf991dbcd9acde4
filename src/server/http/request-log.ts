import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../logger.ts'
import type { AppEnv } from './app-env.ts'
import { loggedTarget } from './logged-target.ts'
import { refusedLine } from './refused-audit.ts'

/**
 * One `info` line per request (method, path, redacted query, status, time, subject), and for
 * a refused one (401, 403) an audit line at `warn` with the reason and the peer address.
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now()
    await next()
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
}
