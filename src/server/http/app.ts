import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Engine } from '../../engine/index.ts'
import type { Topology } from '../../topology/index.ts'
import type { AppEnv } from './app-env.ts'
import { verifyToken, TokenError, type Principal } from './auth.ts'
import { ApiError, asApiError, forbidden, unauthorized } from './http-error.ts'
import type { Logger } from '../logger.ts'
import { actionRoutes } from './routes/actions.ts'
import { powerRoutes } from './routes/power.ts'
import { listRoutes } from './routes/list.ts'
import { countRequests, metricsRoutes } from './routes/metrics.ts'
import type { Metrics } from '../../metrics/index.ts'
import { requestLog } from './request-log.ts'
import { longAction } from './long-action.ts'

/** What the HTTP app needs; everything is passed in so tests use fakes, not module mocks. */
export interface AppDeps {
  /** The current topology; called once per request, so a reload never changes one mid-way. */
  readonly getTopology: () => Topology
  /** Carries out every action (SPEC §14). */
  readonly engine: Engine
  /** HMAC key of the HS256 tokens. */
  readonly secret: Uint8Array
  readonly logger: Logger
  /** Now, for token expiry; default the system clock. */
  readonly clock?: () => Date
  /** Most nodes one request may name; default 10 000. */
  readonly maxTargets?: number
  /** Whether a verified token has been revoked since (`flight-power token --revoke`). */
  readonly isRevoked?: (principal: Principal) => boolean
  /** Served on `GET /metrics` and fed every request; no such route without it. */
  readonly metrics?: Metrics
}

/** Routes anyone may call. */
const OPEN_PATHS = new Set(['/health'])

/**
 * Build the HTTP API (SPEC §5): bearer-token auth with read/power scopes, the power-server 1.0
 * routes and JSON:API errors. Checks its dependencies once, here.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  if (!(deps.secret instanceof Uint8Array) || deps.secret.length === 0) {
    throw new TypeError('createApp: "secret" must be a non-empty Uint8Array')
  }
  if (typeof deps.getTopology !== 'function')
    throw new TypeError('createApp: "getTopology" must be a function')
  const maxTargets = deps.maxTargets ?? 10_000
  if (!Number.isInteger(maxTargets) || maxTargets < 1)
    throw new TypeError('createApp: "maxTargets" must be a positive integer')
  const clock = deps.clock ?? (() => new Date())
  const { logger } = deps

  const app = new Hono<AppEnv>()

  app.use(requestLog(logger))

  if (deps.metrics) app.use(countRequests(deps.metrics))

  app.use(async function authenticate(c, next) {
    if (OPEN_PATHS.has(c.req.path)) return next()
    const header = c.req.header('Authorization') ?? ''
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
    if (!match?.[1]) {
      throw unauthorized(
        'ERR_TOKEN_MISSING',
        'Missing token: send "Authorization: Bearer <token>" (see flight-power token)',
      )
    }
    let principal: Principal
    try {
      principal = await verifyToken(match[1], deps.secret, { now: clock() })
    } catch (error) {
      if (error instanceof TokenError)
        throw unauthorized(error.code, error.message, { cause: error })
      throw error
    }
    // Set first: the log line of the refusal names whose token it was.
    c.set('principal', principal)
    if (deps.isRevoked?.(principal)) throw unauthorized('ERR_TOKEN_REVOKED', 'Token revoked')
    return next()
  })

  app.use(async function authorize(c, next) {
    const principal = c.get('principal')
    if (principal && principal.scope !== 'power' && !['GET', 'HEAD'].includes(c.req.method)) {
      throw forbidden(
        `Token of "${principal.subject}" has scope "${principal.scope}": power actions need scope "power"`,
      )
    }
    return next()
  })
  app.use(longAction)

  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.route('/', listRoutes(deps.getTopology, deps.engine.lastState))
  if (deps.metrics) app.route('/', metricsRoutes(deps.metrics))
  const power = { getTopology: deps.getTopology, engine: deps.engine, logger, maxTargets }
  app.route('/', powerRoutes(power))
  app.route('/actions', actionRoutes(power))

  app.notFound((c) =>
    new ApiError(404, 'ERR_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`).getResponse(),
  )
  app.onError((error, c) => {
    if (!(error instanceof HTTPException))
      logger.error(`${c.req.method} ${c.req.path}: internal error: ${error.stack ?? error.message}`)
    return asApiError(error).getResponse()
  })
  return app
}
