import { Hono } from 'hono'
import {
  ACTIONS,
  ActionParamsError,
  BASIC_ACTIONS,
  parseActionParams,
  type Action,
} from '../../../topology/index.ts'
import type { AppEnv } from '../app-env.ts'
import { ApiError, badRequest } from '../http-error.ts'
import { runRequest, type PowerDeps } from './power.ts'

/** The actions beyond power-server 1.0's four, by the name in their path (SPEC §10). */
const ROUTED: readonly Action[] = ACTIONS.filter(
  (action) => !(BASIC_ACTIONS as readonly string[]).includes(action),
)

/** `POST /actions/{action}?nodes=…&groups=…` with an optional JSON body of parameters. */
export function actionRoutes(deps: PowerDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/:action', async (c) => {
    const name = c.req.param('action')
    const action = ROUTED.find((routed) => routed === name)
    if (action === undefined)
      throw new ApiError(404, 'ERR_NOT_FOUND', `No action "${name}": expected ${ROUTED.join(', ')}`)
    let params
    try {
      params = parseActionParams(action, await readBody(c.req.raw))
    } catch (error) {
      if (error instanceof ActionParamsError)
        throw badRequest(error.code, error.message, { cause: error })
      throw error
    }
    return runRequest(c, deps, action, params)
  })
}

/** Most bytes an action's body may hold: a few parameters, never a file. */
const MAX_BODY_BYTES = 4096

async function readBody(request: Request): Promise<unknown> {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES)
    throw new ActionParamsError(`The request body is over ${MAX_BODY_BYTES} bytes`)
  const text = await request.text()
  if (text.length > MAX_BODY_BYTES)
    throw new ActionParamsError(`The request body is over ${MAX_BODY_BYTES} bytes`)
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ActionParamsError('The request body is not valid JSON')
  }
}
