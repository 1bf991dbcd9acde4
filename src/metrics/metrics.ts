import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Engine } from '../engine/index.ts'
import type { Topology } from '../topology/index.ts'
import { authReason, resultLabel } from './labels.ts'

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** Whose results, steps and queues are counted. */
  readonly engine: Engine
  /** The current topology: which nodes and groups a scrape reports. */
  readonly getTopology: () => Topology
  /** Milliseconds since the epoch, for the age of states; default `Date.now`. */
  readonly now?: () => number
}

/** The server's metrics (SPEC §12), and what feeds those the engine does not. */
export interface Metrics {
  /** The `Content-Type` of `render()`: Prometheus text format 0.0.4. */
  readonly contentType: string
  /** Every metric, in Prometheus text format. */
  render(): Promise<string>
  /** One HTTP request answered with `status`; `errorCode` of a 401 or 403 says why. */
  request(status: number, errorCode?: string): void
  /** One topology reload, accepted or refused. */
  topologyReloaded(ok: boolean): void
  /** Stop observing the engine. */
  close(): void
}

/** Seconds: from a quick Redfish call to ipmitool giving up on a dead BMC and cloud stops. */
const STEP_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300]
/** States a group's nodes are counted in; `unseen`: no status read yet. */
const GROUP_STATES = ['on', 'off', 'unknown', 'unseen'] as const

/**
 * Build the registry, named by Prometheus' conventions (`flight_power_` prefix, `_total`
 * counters, `_seconds` base units). Per-node series exist only for the state gauges; every
 * other label (action, platform, result, code, reason, group) has a small, fixed range.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const { engine, getTopology } = options
  if (typeof getTopology !== 'function')
    throw new TypeError('createMetrics: "getTopology" must be a function')
  if (typeof engine?.observe !== 'function')
    throw new TypeError('createMetrics: "engine" must be an engine')
  const now = options.now ?? Date.now
  const registry = new Registry()
  const registers = [registry]
  const { lastState } = engine

  const nodeState = new Gauge({
    name: 'flight_power_node_power_state',
    help: 'Last known power state of each node: 1 on the series of its state (on, off, unknown); no series before its first status',
    labelNames: ['node', 'state'],
    registers,
    collect() {
      this.reset()
      for (const name of getTopology().nodes.keys()) {
        const state = lastState.get(name)?.state
        if (state) this.set({ node: name, state }, 1)
      }
    },
  })
  const nodeAge = new Gauge({
    name: 'flight_power_node_power_state_age_seconds',
    help: 'Seconds since the last known power state of each node was read',
    labelNames: ['node'],
    registers,
    collect() {
      this.reset()
      const at = now()
      for (const name of getTopology().nodes.keys()) {
        const seenAt = lastState.get(name)?.seenAt
        if (seenAt !== undefined) this.set({ node: name }, Math.max(0, (at - seenAt) / 1000))
      }
    },
  })
  new Gauge({
    name: 'flight_power_group_nodes',
    help: 'Nodes of each group by last known power state (unseen: never read)',
    labelNames: ['group', 'state'],
    registers,
    collect() {
      this.reset()
      for (const [group, members] of getTopology().groups) {
        const counts = { on: 0, off: 0, unknown: 0, unseen: 0 }
        for (const name of members) counts[lastState.get(name)?.state ?? 'unseen']++
        for (const state of GROUP_STATES) this.set({ group, state }, counts[state])
      }
    },
  })
  new Gauge({
    name: 'flight_power_nodes',
    help: 'Nodes in the topology',
    registers,
    collect() {
      this.set(getTopology().nodes.size)
    },
  })

  const actions = new Counter({
    name: 'flight_power_actions_total',
    help: 'Node results by action, platform and result (success, failed, cancelled, missing, cached)',
    labelNames: ['action', 'platform', 'result'],
    registers,
  })
  const steps = new Histogram({
    name: 'flight_power_step_duration_seconds',
    help: 'Duration of each step (one script or driver call) by platform and script key',
    labelNames: ['platform', 'action'],
    buckets: STEP_BUCKETS,
    registers,
  })
  const stop = engine.observe({
    result: (result) =>
      actions.inc({
        action: result.action,
        platform: result.platform,
        result: resultLabel(result),
      }),
    step: (step) =>
      steps.observe({ platform: step.platform, action: step.key }, step.attempt.durationMs / 1000),
  })

  const live = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read())
      },
    })
  live(
    'flight_power_steps_running',
    'Steps running now, under the global limit',
    () => engine.active,
  )
  live(
    'flight_power_steps_queued',
    'Steps waiting for a place under the global limit',
    () => engine.queued,
  )
  live(
    'flight_power_nodes_waiting_for_power_on_rate',
    'Nodes waiting for the power-on rate before they may start',
    () => engine.waitingForRate,
  )

  const requests = new Counter({
    name: 'flight_power_http_requests_total',
    help: 'HTTP requests by status code',
    labelNames: ['code'],
    registers,
  })
  const authFailures = new Counter({
    name: 'flight_power_auth_failures_total',
    help: 'Requests refused a token (401) or a scope (403), by reason',
    labelNames: ['reason'],
    registers,
  })
  const reloads = new Counter({
    name: 'flight_power_topology_reloads_total',
    help: 'Topology reloads by result (success, failure)',
    labelNames: ['result'],
    registers,
  })
  // Zero series from the start, so rate() and increase() see the first failure.
  for (const result of ['success', 'failure']) reloads.inc({ result }, 0)

  return {
    contentType: registry.contentType,
    async render() {
      const text = await registry.metrics()
      // The per-node series are rebuilt by every scrape: do not hold 100,000 of them between.
      nodeState.reset()
      nodeAge.reset()
      return text
    },
    request(status, errorCode) {
      requests.inc({ code: String(status) })
      if (status === 401 || status === 403) authFailures.inc({ reason: authReason(errorCode) })
    },
    topologyReloaded: (ok) => reloads.inc({ result: ok ? 'success' : 'failure' }),
    close: stop,
  }
}
