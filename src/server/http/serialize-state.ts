import type { Engine } from '../../engine/index.ts'
import type { Topology } from '../../topology/index.ts'
import { nodesDocument } from './serialize.ts'

/**
 * `GET /nodes?state=1`: the nodes document plus each node's last known state (SPEC §12):
 * `state` (on, off, unknown; null before the first status), `seen-at`, `age-seconds` (as the
 * server counts it, so clients' clocks do not matter), `seen-by`, and `last-action`,
 * `last-action-at`, `last-action-success` when another action ran. Never node variables.
 */
export function nodeStatesDocument(
  topology: Topology,
  lastState: Engine['lastState'],
  now: number,
): ReturnType<typeof nodesDocument> {
  const document = nodesDocument(topology)
  for (const node of document.data) {
    const known = lastState.get(node.id)
    const seenAt = known?.seenAt
    Object.assign(node.attributes, {
      state: known?.state ?? null,
      'seen-at': seenAt === undefined ? null : new Date(seenAt).toISOString(),
      'age-seconds': seenAt === undefined ? null : Math.max(0, Math.floor((now - seenAt) / 1000)),
      'seen-by': known?.seenBy ?? null,
      ...(known?.lastAction
        ? {
            'last-action': known.lastAction.action,
            'last-action-at': new Date(known.lastAction.at).toISOString(),
            'last-action-success': known.lastAction.success,
          }
        : {}),
    })
  }
  return document
}
