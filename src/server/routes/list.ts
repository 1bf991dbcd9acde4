import { Hono } from 'hono'
import type { Topology } from '../../topology/index.ts'
import type { AppEnv } from '../app.ts'
import { groupsDocument, nodesDocument } from '../serialize.ts'

/** `GET /nodes` and `GET /groups`: what the topology holds, never node variables. */
export function listRoutes(getTopology: () => Topology): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/nodes', (c) => c.json(nodesDocument(getTopology())))
    .get('/groups', (c) => c.json(groupsDocument(getTopology())))
}
