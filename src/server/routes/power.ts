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

/**
 * One line per action for the audit trail: who, what, on which nodes, and each node's result,
 * as counts and as folded hostlists (`on_nodes=node[01-04]`), so the line stays one line however
 * many nodes a request names.
 */
export function auditLine(
  action: Action,
  results: readonly NodeResult[],
  options: { subject: string },
): string {
  const names = (keep: (r: NodeResult) => boolean) => results.filter(keep).map((r) => r.name)
  const missing = names((r) => r.missing)
  const failed = names((r) => !r.missing && !r.success)
  const succeeded = names((r) => !r.missing && r.success)
  const parts = [
    `audit subject=${JSON.stringify(options.subject)}`,
    `action=${action}`,
    `targets=${fold(results.map((r) => r.name))}`,
    `succeeded=${succeeded.length}`,
    `failed=${failed.length}`,
    `missing=${missing.length}`,
  ]
  const list = (key: string, nodes: string[]) => {
    if (nodes.length > 0) parts.push(`${key}=${fold(nodes)}`)
  }
  if (action === 'status') {
    const on = names((r) => !r.missing && r.state === 'on')
    const off = names((r) => !r.missing && r.state === 'off')
    parts.push(`on=${on.length}`, `off=${off.length}`)
    list('on_nodes', on)
    list('off_nodes', off)
  } else {
    list('succeeded_nodes', succeeded)
  }
  list('failed_nodes', failed)
  list('missing_nodes', missing)
  return parts.join(' ')
}

function fold(names: readonly string[]): string {
  return names.length > 0 ? foldHostlist(names) : '-'
}
