import { auditLine, type NodeResult } from '../../engine/index.ts'
import { foldHostlist, type Action } from '../../topology/index.ts'

/**
 * Whether the engine cancelled `result` before it started: the client went away (SPEC §12).
 * The engine marks such results by their message.
 */
export function isCancelled(result: NodeResult): boolean {
  return !result.success && result.message?.startsWith('cancelled') === true
}

/**
 * The audit line of one request: the engine's, plus `cancelled=N cancelled_nodes=…` when the
 * client went away before every node had started (those nodes are also counted as failed).
 */
export function requestAudit(
  action: Action,
  results: readonly NodeResult[],
  subject: string,
): string {
  const line = auditLine(action, results, { subject })
  const cancelled = results.filter(isCancelled).map((result) => result.name)
  if (cancelled.length === 0) return line
  return `${line} cancelled=${cancelled.length} cancelled_nodes=${foldHostlist(cancelled)}`
}
