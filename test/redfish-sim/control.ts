/**
 * The control API of a simulator run as a child process: plain HTTP on loopback, so a parent
 * (an end-to-end test, a benchmark) can read each BMC's state and record, or arrange a scene.
 *
 *   GET  /bmcs               names, hosts and URLs
 *   GET  /bmcs/NAME          systems, events, requests, sessions, open connections
 *   POST /bmcs/NAME/power    {"state": "On" | "Off", "system"?: "ID"}
 *   POST /bmcs/NAME/clear    forget the record
 */
import type { SimulatedBmc } from './simulator.ts'

export function startControl(bmcs: readonly SimulatedBmc[]): { url: string; stop(): void } {
  const byName = new Map(bmcs.map((b) => [b.name, b]))
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const parts = new URL(request.url).pathname.split('/').filter(Boolean)
      if (parts[0] !== 'bmcs') return answer(404, { error: 'unknown path' })
      if (parts.length === 1)
        return answer(
          200,
          bmcs.map((b) => ({ name: b.name, host: b.host, url: b.url })),
        )
      const bmc = byName.get(decodeURIComponent(parts[1] ?? ''))
      if (bmc === undefined) return answer(404, { error: `no BMC named "${parts[1]}"` })
      if (parts.length === 2 && request.method === 'GET') return answer(200, describe(bmc))
      if (parts[2] === 'clear' && request.method === 'POST') {
        bmc.clearRecord()
        return new Response(null, { status: 204 })
      }
      if (parts[2] === 'power' && request.method === 'POST') {
        const body = (await request.json().catch(() => null)) as {
          state?: unknown
          system?: unknown
        } | null
        if (body?.state !== 'On' && body?.state !== 'Off')
          return answer(400, { error: 'expected {"state": "On" | "Off"}' })
        try {
          bmc.setPower(body.state, typeof body.system === 'string' ? body.system : undefined)
        } catch (error) {
          return answer(404, { error: (error as Error).message })
        }
        return new Response(null, { status: 204 })
      }
      return answer(404, { error: 'unknown path' })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, stop: () => void server.stop(true) }
}

function describe(bmc: SimulatedBmc): object {
  return {
    name: bmc.name,
    host: bmc.host,
    url: bmc.url,
    systems: bmc.systems(),
    events: bmc.events(),
    requests: bmc.requests(),
    sessions: bmc.sessionCount(),
    openConnections: bmc.openConnections(),
  }
}

function answer(status: number, body: unknown): Response {
  return Response.json(body, { status })
}
