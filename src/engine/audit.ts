import { foldHostlist, type Action } from '../topology/index.ts'
import type { NodeResult } from './node-result.ts'

/**
 * One line per action for the audit trail: who, what, on which nodes, and each node's result,
 * as counts and as folded hostlists (`on_nodes=node[01-04]`), so the line stays one line however
 * many nodes a request names. Whatever route or driver carried the action out, this is its line.
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
  // The client went away before these started (SPEC §12); they are counted as failed too.
  const cancelled = names((r) => r.cancelled === true)
  if (cancelled.length > 0) parts.push(`cancelled=${cancelled.length}`)
  list('cancelled_nodes', cancelled)
  return parts.join(' ')
}

function fold(names: readonly string[]): string {
  return names.length > 0 ? foldHostlist(names) : '-'
}
