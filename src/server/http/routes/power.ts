import { Hono, type Context } from 'hono'
import { auditLine, type Engine } from '../../../engine/index.ts'
import type { Action, ActionParams, Topology } from '../../../topology/index.ts'
import type { Logger } from '../../logger.ts'
import type { AppEnv } from '../app-env.ts'
import { commandsDocument } from '../serialize.ts'
import { streamResults, wantsStream } from '../stream.ts'
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
  const handle = (action: Action) => (c: Context<AppEnv, string>) => runRequest(c, deps, action, {})
  return new Hono<AppEnv>()
    .get('/', handle('status'))
    .patch('/', handle('power_on'))
    .delete('/', handle('power_off'))
    .put('/', handle('restart'))
}

/**
 * Carry out `action` on the request's targets, audit it, and answer with the results: a live
 * stream for a client that asks for ndjson, the JSON:API document for every other. A client
 * that goes away cancels the nodes not yet started, either way.
 */
export async function runRequest(
  c: Context<AppEnv, string>,
  deps: PowerDeps,
  action: Action,
  params: ActionParams,
): Promise<Response> {
  const topology = deps.getTopology()
  const targets = requestTargets(c.req, topology, deps.maxTargets)
  const cached = cacheOptions(c.req, action)
  const request = { action, names: targets.names, topology, params, ...cached }
  const subject = c.get('principal')?.subject ?? '-'
  const signal = c.req.raw.signal
  if (wantsStream(c.req.header('accept')))
    return streamResults(request, { engine: deps.engine, logger: deps.logger, subject, signal })
  const results = await deps.engine.run({ ...request, signal })
  deps.logger.info(auditLine(action, results, { subject }))
  return c.json(commandsDocument(results))
}
