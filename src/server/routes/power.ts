import { Hono, type Context } from 'hono'
import type { Runner } from '../../exec/index.ts'
import { foldHostlist, type Action, type Topology } from '../../topology/index.ts'
import { runAction } from '../actions.ts'
import type { AppEnv } from '../app.ts'
import type { Logger } from '../logger.ts'
import type { NodeResult } from '../serialize.ts'
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

/** One line per action for the audit trail: who, what, on which nodes, and how it went. */
export function auditLine(
  action: Action,
  results: readonly NodeResult[],
  options: { subject: string },
): string {
  const names = results.map((r) => r.name)
  const missing = results.filter((r) => r.missing).map((r) => r.name)
  const failed = results.filter((r) => !r.missing && !r.success).map((r) => r.name)
  const succeeded = results.length - missing.length - failed.length
  const parts = [
    `audit subject=${JSON.stringify(options.subject)}`,
    `action=${action}`,
    `targets=${names.length > 0 ? foldHostlist(names) : '-'}`,
    `succeeded=${succeeded}`,
    `failed=${failed.length}`,
    `missing=${missing.length}`,
  ]
  if (action === 'status') {
    const count = (state: string) => results.filter((r) => r.state === state).length
    parts.push(`on=${count('on')}`, `off=${count('off')}`)
  }
  if (failed.length > 0) parts.push(`failed_nodes=${foldHostlist(failed)}`)
  if (missing.length > 0) parts.push(`missing_nodes=${foldHostlist(missing)}`)
  return parts.join(' ')
}
