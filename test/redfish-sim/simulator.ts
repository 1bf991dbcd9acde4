/**
 * Start many simulated BMCs in this process, one `Bun.serve` (or, for a silent BMC, one bare
 * TCP listener) per BMC on its own loopback port, sharing one generated certificate.
 */
import { rmSync } from 'node:fs'
import type { Server, TCPSocketListener, Socket } from 'bun'
import { Bmc, type BmcEvent, type RequestRecord } from './bmc.ts'
import { startControl } from './control.ts'
import { resolveBmc, SimulatorError, type BmcConfig, type BmcOptions } from './options.ts'
import type { Clock } from './power.ts'
import type { SystemSnapshot } from './system.ts'
import { generateTls, type TlsMaterial } from './tls.ts'

/** Options of `startSimulator`. */
export interface SimulatorOptions {
  /** One entry per BMC, or a count of BMCs with default knobs. */
  bmcs: readonly BmcOptions[] | number
  /** HTTPS with a generated CA (default true); false serves plain HTTP. */
  tls?: boolean
  /** Also start the plain-HTTP control API (what a parent process reads); default false. */
  control?: boolean
  /** Time source for power transitions; default `Date.now`. */
  clock?: Clock
}

/** One running simulated BMC, as a test sees it. */
export interface SimulatedBmc {
  readonly name: string
  readonly config: BmcConfig
  readonly port: number
  /** `127.0.0.1:PORT`, what a topology's `bmc` variable holds. */
  readonly host: string
  /** `https://127.0.0.1:PORT` (or http). */
  readonly url: string
  /** Every system's state now. */
  systems(): SystemSnapshot[]
  /** One system's state; without an id, the first system. */
  system(id?: string): SystemSnapshot
  /** Changes the BMC carried out: resets, boot PATCHes, indicator changes, sessions. */
  events(): readonly BmcEvent[]
  /** The requests it received, with the status it answered. */
  requests(): readonly RequestRecord[]
  /** Sessions open now. */
  sessionCount(): number
  /** TCP connections open now (what a silent BMC holds; 0 for others, which keep none). */
  openConnections(): number
  /** Force a power state, to arrange a scene. */
  setPower(state: 'On' | 'Off', system?: string): void
  /** Forget the record (events and requests), keep the state. */
  clearRecord(): void
}

/** A running simulator. */
export interface Simulator {
  readonly bmcs: readonly SimulatedBmc[]
  /** The CA certificate clients must trust (null without TLS). */
  readonly caFile: string | null
  /** The control API's base URL (null unless `control: true`). */
  readonly controlUrl: string | null
  /** A BMC by name; throws when there is none. */
  bmc(name: string): SimulatedBmc
  stop(): Promise<void>
}

/** Check the options, generate certificates, and start every BMC. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const specs = typeof options.bmcs === 'number' ? countOf(options.bmcs) : checkList(options.bmcs)
  const configs = specs.map((spec, i) => resolveBmc(spec, `bmcs[${i}]`, i))
  const names = new Set<string>()
  configs.forEach((c, i) => {
    if (names.has(c.name))
      throw new SimulatorError(
        'ERR_SIM_OPTIONS',
        `Cannot start Redfish simulator: bmcs[${i}].name: "${c.name}" is used twice`,
      )
    names.add(c.name)
  })
  const clock = options.clock ?? Date.now
  const tls = options.tls === false ? null : generateTls()
  const stops: Array<() => void> = []
  const bmcs: SimulatedBmc[] = []
  const stop = async () => {
    for (const s of stops.splice(0)) s()
    if (tls !== null) rmSync(tls.dir, { recursive: true, force: true })
  }
  try {
    for (const config of configs) {
      const bmc = new Bmc(config, clock)
      const started = config.silent ? startSilent() : startServer(bmc, tls)
      stops.push(() => started.stop())
      bmcs.push(view(bmc, started, tls !== null))
    }
    const control = options.control ? startControl(bmcs) : null
    if (control !== null) stops.push(() => control.stop())
    const byName = new Map(bmcs.map((b) => [b.name, b]))
    return {
      bmcs,
      caFile: tls?.caFile ?? null,
      controlUrl: control?.url ?? null,
      bmc(name) {
        const found = byName.get(name)
        if (found === undefined) throw new Error(`No simulated BMC is named "${name}"`)
        return found
      },
      stop,
    }
  } catch (error) {
    await stop()
    if (error instanceof SimulatorError) throw error
    throw new SimulatorError(
      'ERR_SIM_START',
      `Cannot start Redfish simulator: BMC ${bmcs.length}: ${(error as Error).message}`,
      { cause: error },
    )
  }
}

interface Started {
  readonly port: number
  stop(): void
  openConnections(): number
}

function startServer(bmc: Bmc, tls: TlsMaterial | null): Started {
  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    ...(tls === null ? {} : { tls: { cert: tls.cert, key: tls.key } }),
    fetch: async (request) => {
      const response = await bmc.handle(request)
      // Say so when closing as asked: a client that is not told (python's http.client) may
      // reuse the socket and lose its next request.
      if (/\bclose\b/i.test(request.headers.get('connection') ?? ''))
        response.headers.set('Connection', 'close')
      return response
    },
    error: () =>
      new Response('{"error":{"code":"Base.1.15.0.InternalError"}}', {
        status: 500,
        headers: { 'Content-Type': 'application/json' },
      }),
  })
  return {
    port: server.port ?? 0,
    stop: () => void server.stop(true),
    openConnections: () => 0,
  }
}

/** A BMC whose web server has hung: it accepts connections and never says a word. */
function startSilent(): Started {
  const open = new Set<Socket<undefined>>()
  const listener: TCPSocketListener<undefined> = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open: (socket) => void open.add(socket),
      data: () => {},
      close: (socket) => void open.delete(socket),
      error: (socket) => void open.delete(socket),
    },
  })
  return {
    port: listener.port,
    stop: () => {
      for (const socket of open) socket.end()
      listener.stop(true)
    },
    openConnections: () => open.size,
  }
}

function view(bmc: Bmc, started: Started, tls: boolean): SimulatedBmc {
  const host = `127.0.0.1:${started.port}`
  const system = (id?: string) => {
    const found = id === undefined ? bmc.systems.values().next().value : bmc.systems.get(id)
    if (found === undefined) throw new Error(`BMC "${bmc.config.name}" has no system "${id}"`)
    return found
  }
  return {
    name: bmc.config.name,
    config: bmc.config,
    port: started.port,
    host,
    url: `${tls ? 'https' : 'http'}://${host}`,
    systems: () => bmc.snapshot(),
    system: (id) => system(id).snapshot(),
    events: () => bmc.events(),
    requests: () => bmc.requests(),
    sessionCount: () => bmc.sessionCount(),
    openConnections: () => started.openConnections(),
    setPower: (state, id) => system(id).power.set(state),
    clearRecord: () => bmc.clearRecord(),
  }
}

function countOf(n: number): BmcOptions[] {
  if (!Number.isInteger(n) || n < 1)
    throw new SimulatorError(
      'ERR_SIM_OPTIONS',
      `Cannot start Redfish simulator: bmcs: expected a whole number >= 1 or a list, got ${n}`,
    )
  return Array.from({ length: n }, () => ({}))
}

function checkList(list: unknown): readonly unknown[] {
  if (!Array.isArray(list) || list.length === 0)
    throw new SimulatorError(
      'ERR_SIM_OPTIONS',
      `Cannot start Redfish simulator: bmcs: expected a non-empty list or a count, got ${JSON.stringify(list)}`,
    )
  return list
}
