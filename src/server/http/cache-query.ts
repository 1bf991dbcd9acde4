import type { HonoRequest } from 'hono'
import type { ActionRequest } from '../../engine/index.ts'
import type { Action } from '../../topology/index.ts'
import { badRequest } from './http-error.ts'

/** Most seconds `max_age` may say: a year; older readings are not worth a cache. */
const MAX_AGE_SECONDS = 31_536_000

/**
 * `GET /?nodes=…&cached=1[&max_age=S]`: status from the last known state (SPEC §12). Nodes
 * never read, read over S seconds ago, unknown or switched since are asked as usual;
 * `max_age` alone implies `cached`. Throws a 400 ApiError for bad values or other actions.
 */
export function cacheOptions(request: HonoRequest, action: Action): Pick<ActionRequest, 'cached'> {
  const cached = request.query('cached')
  const maxAge = request.query('max_age')
  if (cached === undefined && maxAge === undefined) return {}
  if (cached !== undefined && !['1', 'true', '0', 'false'].includes(cached))
    throw badRequest('ERR_CACHED', `Invalid cached "${cached}": expected 1 or 0`)
  let maxAgeMs: number | undefined
  if (maxAge !== undefined) {
    const seconds = /^\d+$/.test(maxAge) ? Number(maxAge) : NaN
    if (!(seconds <= MAX_AGE_SECONDS))
      throw badRequest(
        'ERR_MAX_AGE',
        `Invalid max_age "${maxAge}": expected whole seconds from 0 to ${MAX_AGE_SECONDS}`,
      )
    maxAgeMs = seconds * 1000
  }
  if (cached === '0' || cached === 'false') {
    if (maxAge !== undefined)
      throw badRequest('ERR_CACHED', 'max_age needs the cache: drop cached=0 or max_age')
    return {}
  }
  if (action !== 'status')
    throw badRequest('ERR_CACHED', `cached and max_age apply to status only, not ${action}`)
  return { cached: maxAgeMs === undefined ? {} : { maxAgeMs } }
}
