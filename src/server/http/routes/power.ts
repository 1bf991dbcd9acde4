import { Hono, type Context } from 'hono'
import { auditLine, type Engine } from '../../../engine/index.ts'
import type { Action, ActionParams, Topology } from '../../../topology/index.ts'
import type { Logger } from '../../logger.ts'
import type { AppEnv } from '../app-env.ts'
import { commandsDocument } from '../serialize.ts'
import { requestTargets } from '../targets.ts'
import { cacheOptions } from '../cache-query.ts'

/** What the power routes need. */
export interface PowerDeps {
  readonly getTopology: () => Topology
  readonly engine: Engine
  readonly logger: Logger
  readonly maxTargets: number
}

/** power-server 1.0's verbs on `/`: GET status, PATCH on, DELETE off, PUT restart. */
export function powerRoutes(deps: PowerDeps): Hono<AppEnv> {
  const handle = (action: Action) => (c: Context<AppEnv>) => runRequest(c, deps, action, {})
  return new Hono<AppEnv>()
    .get('/', handle('status'))
    .patch('/', handle('power_on'))
    .delete('/', handle('power_off'))
    .put('/', handle('restart'))
}

/** Carry out `action` on the request's targets, audit it, and answer with the results. */
export async function runRequest(
  c: Context<AppEnv>,
  deps: PowerDeps,
  action: Action,
  params: ActionParams,
): Promise<Response> {
  const topology = deps.getTopology()
  const targets = requestTargets(c.req, topology, deps.maxTargets)
  const cached = cacheOptions(c.req, action)
  const results = await deps.engine.run({
    action,
    names: targets.names,
    topology,
    params,
    ...cached,
  })
  deps.logger.info(auditLine(action, results, { subject: c.get('principal')?.subject ?? '-' }))
  return c.json(commandsDocument(results))
}
