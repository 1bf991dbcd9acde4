import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'

/** Methods of the power and status routes on `/`. */
const ACTION_METHODS = new Set(['GET', 'HEAD', 'PATCH', 'DELETE', 'PUT'])

/** Whether a request is an action: power-server 1.0's verbs on `/`, or `POST /actions/…`. */
function isAction(method: string, path: string): boolean {
  return path === '/'
    ? ACTION_METHODS.has(method)
    : method === 'POST' && path.startsWith('/actions/')
}

/**
 * Lift the connection's idle timeout while an authenticated action runs, and restore it once
 * the answer is ready. Placed after authentication and authorization: a request without a
 * good token is answered at once and must never hold a connection open (SPEC §13).
 */
export const longAction: MiddlewareHandler<AppEnv> = async function longAction(c, next) {
  if (!c.get('principal') || !isAction(c.req.method, c.req.path)) return next()
  const restore = c.env?.holdOpen?.()
  try {
    await next()
  } finally {
    restore?.()
  }
}
