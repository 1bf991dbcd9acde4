import { Hono, type MiddlewareHandler } from 'hono'
import type { Metrics } from '../../../metrics/index.ts'
import type { AppEnv } from '../app-env.ts'
import { ApiError } from '../http-error.ts'

/** `GET /metrics`: Prometheus text format, for any valid token (scope `read` is enough). */
export function metricsRoutes(metrics: Metrics): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/metrics', async (c) =>
    c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }),
  )
}

/**
 * Count every request by status, and refused tokens by their error's stable code; Hono has
 * set `c.error` by the time an outer middleware resumes.
 */
export function countRequests(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async function countRequests(c, next) {
    await next()
    const error = c.error instanceof ApiError ? c.error.code : undefined
    metrics.request(c.res.status, error)
  }
}
