import { Hono, type Context } from 'hono'
import { auditLine, runAction } from '../../../engine/index.ts'
import type { Runner } from '../../../exec/index.ts'
import type { Action, Topology } from '../../../topology/index.ts'
import type { Logger } from '../../logger.ts'
import type { AppEnv } from '../app-env.ts'
import { commandsDocument } from '../serialize.ts'
import { requestTargets } from '../targets.ts'

/** What the power routes need. */
export interface PowerDeps {
  readonly getTopology: () => Topology
  readonly runner: Runner
  readonly logger: Logger
  readonly maxTargets: number
}

/** power-server 1.0's verbs on `/`: GET status, PATCH on, DELETE off, PUT restart. */
export function powerRoutes(deps: PowerDeps): Hono<AppEnv> {
  const handle = (action: Action) => async (c: Context<AppEnv>) => {
    const topology = deps.getTopology()
    const targets = requestTargets(c.req, topology, deps.maxTargets)
    const results = await runAction(action, targets.names, {
      topology,
      runner: deps.runner,
      logger: deps.logger,
    })
    deps.logger.info(auditLine(action, results, { subject: c.get('principal')?.subject ?? '-' }))
    return c.json(commandsDocument(results))
  }
  return new Hono<AppEnv>()
    .get('/', handle('status'))
    .patch('/', handle('power_on'))
    .delete('/', handle('power_off'))
    .put('/', handle('restart'))
}
