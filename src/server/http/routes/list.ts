import { Hono } from 'hono'
import type { Engine } from '../../../engine/index.ts'
import type { Topology } from '../../../topology/index.ts'
import type { AppEnv } from '../app-env.ts'
import { groupsDocument, nodesDocument } from '../serialize.ts'
import { nodeStatesDocument } from '../serialize-state.ts'

/**
 * `GET /nodes` and `GET /groups`: what the topology holds, never node variables. A topology
 * never changes (a reload makes a new one), so each body is built once per topology: with
 * 10,000 nodes, rebuilding 850 KiB of JSON per request cost a tenth of the throughput.
 * `GET /nodes?state=1` adds each node's last known state and is built per request.
 */
export function listRoutes(
  getTopology: () => Topology,
  lastState: Engine['lastState'],
): Hono<AppEnv> {
  const nodes = cachedPerTopology((topology) => JSON.stringify(nodesDocument(topology)))
  const groups = cachedPerTopology((topology) => JSON.stringify(groupsDocument(topology)))
  return new Hono<AppEnv>()
    .get('/nodes', (c) =>
      wantsState(c.req.query('state'))
        ? c.json(nodeStatesDocument(getTopology(), lastState, Date.now()))
        : c.body(nodes(getTopology()), 200, JSON_TYPE),
    )
    .get('/groups', (c) => c.body(groups(getTopology()), 200, JSON_TYPE))
}

const JSON_TYPE = { 'Content-Type': 'application/json' }

/** `?state=1` (or `true`); anything else, or nothing, is the plain list. */
function wantsState(value: string | undefined): boolean {
  return value === '1' || value === 'true'
}

/** `build` once per topology: a topology never changes, a reload makes a new one. */
export function cachedPerTopology(
  build: (topology: Topology) => string,
): (topology: Topology) => string {
  const cache = new WeakMap<Topology, string>()
  return (topology) => {
    let body = cache.get(topology)
    if (body === undefined) cache.set(topology, (body = build(topology)))
    return body
  }
}
