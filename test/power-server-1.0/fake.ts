/**
 * A stand-in for an unmodified power-server 1.0.0 in static-nodes mode, answering as it was
 * measured to: it parses only `name`, `a,b` and `prefix[NN-MM]` (one range, no commas inside
 * brackets), anything else a 400 `text/html` "Unrecognised nodes syntax"; it has no groups
 * (`GET /groups` is `{"data":[]}`, `?groups=` gives an empty `data`); every refused token is a
 * 403 `text/html` "Forbidden"; it keeps request order, drops duplicates, and reports unknown
 * nodes with `missing: true, platform: "missing"`. Nodes' power is kept in memory.
 */
import { jwtVerify } from 'jose'

/** One request as the fake saw it, for counting what the client sent. */
export interface SeenRequest {
  readonly method: string
  readonly nodes: string | null
  readonly groups: string | null
  readonly status: number
}

/** A running fake: its URL, what it saw, and each node's power. */
export interface FakePowerServer {
  readonly url: string
  readonly seen: SeenRequest[]
  readonly power: Map<string, boolean>
  stop(): void
}

const ACTIONS: Record<string, string> = {
  GET: 'status',
  PATCH: 'power_on',
  DELETE: 'power_off',
  PUT: 'restart',
}

/** `name`, `a,b` or `prefix[NN-MM]`, as power-server 1.0 parses them; undefined otherwise. */
export function parseNodes1_0(text: string): string[] | undefined {
  const range = /^([A-Za-z0-9._-]*)\[(\d+)-(\d+)\]$/.exec(text)
  if (range) {
    const [, prefix, from, to] = range as unknown as [string, string, string, string]
    const names: string[] = []
    for (let n = Number(from); n <= Number(to); n++)
      names.push(`${prefix}${String(n).padStart(from.length, '0')}`)
    return names
  }
  const names = text.split(',')
  return names.every((name) => /^[A-Za-z0-9._-]+$/.test(name)) ? names : undefined
}

/** Start the fake on a free loopback port with these nodes (all off) and this secret. */
export function startFakePowerServer(options: {
  nodes: readonly string[]
  secret: string
}): FakePowerServer {
  const power = new Map(options.nodes.map((name) => [name, false]))
  const seen: SeenRequest[] = []
  const key = new TextEncoder().encode(options.secret)
  const html = (status: number, text: string) =>
    new Response(text, { status, headers: { 'content-type': 'text/html' } })

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url)
      const nodes = url.searchParams.get('nodes')
      const groups = url.searchParams.get('groups')
      const answer = async (): Promise<Response> => {
        const token = (req.headers.get('authorization') ?? '').replace(/^Bearer /, '')
        try {
          await jwtVerify(token, key, { algorithms: ['HS256'] })
        } catch {
          return html(403, 'Forbidden')
        }
        if (url.pathname === '/groups' && req.method === 'GET') return Response.json({ data: [] })
        if (url.pathname === '/nodes' && req.method === 'GET')
          return Response.json({
            data: [...power.keys()].map((name) => ({
              type: 'nodes',
              id: name,
              attributes: { name, platform: 'ipmi' },
            })),
          })
        const action = ACTIONS[req.method]
        if (url.pathname !== '/' || !action) return html(404, 'Not Found')
        if (nodes === null) return Response.json({ data: [] }) // ?groups= is ignored
        const names = parseNodes1_0(nodes)
        if (!names) return html(400, 'Unrecognised nodes syntax')
        const data = [...new Set(names)].map((name) => {
          const known = power.has(name)
          if (known && action === 'power_on') power.set(name, true)
          if (known && action === 'power_off') power.set(name, false)
          return {
            type: 'commands',
            id: name,
            attributes: {
              action,
              'node-name': name,
              platform: known ? 'ipmi' : 'missing',
              missing: !known,
              success: known,
              ...(action === 'status' ? { running: known && power.get(name) === true } : {}),
            },
          }
        })
        return Response.json({ data })
      }
      const response = await answer()
      seen.push({ method: req.method, nodes, groups, status: response.status })
      return response
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, seen, power, stop: () => void server.stop(true) }
}
