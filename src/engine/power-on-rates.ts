import type { Topology } from '../topology/index.ts'
import type { Clock } from './clock.ts'
import { StartRate } from './start-rate.ts'

/**
 * The power-on rates of SPEC §10: the server's `power_on_rate` and each group's own. A node
 * waits for the global rate and for every limited group it is in, taken in one fixed order
 * (its groups by name, then the global one) so two nodes can never wait on each other.
 */
export class PowerOnRates {
  readonly #global: StartRate | undefined
  readonly #groups = new Map<string, StartRate>()
  readonly #clock: Clock
  readonly #membership = new WeakMap<Topology, Map<string, string[]>>()

  constructor(perMinute: number, clock: Clock) {
    this.#clock = clock
    this.#global = perMinute > 0 ? new StartRate(perMinute, clock) : undefined
  }

  /** Nodes waiting for any rate. */
  get waiting(): number {
    let waiting = this.#global?.waiting ?? 0
    for (const rate of this.#groups.values()) waiting += rate.waiting
    return waiting
  }

  /** Wait until `node` may power on; resolves with `done(started)` as `StartRate` does. */
  async acquire(
    node: string,
    topology: Topology,
    signal?: AbortSignal,
  ): Promise<(started: boolean) => void> {
    const rates = [...this.#groupsOf(node, topology).map((group) => this.#group(group, topology))]
    if (this.#global) rates.push(this.#global)
    const held: ((started: boolean) => void)[] = []
    try {
      for (const rate of rates) held.push(await rate.acquire(signal))
    } catch (error) {
      for (const done of held) done(false)
      throw error
    }
    return (started) => {
      for (const done of held) done(started)
    }
  }

  #group(name: string, topology: Topology): StartRate {
    const perMinute = topology.groupRates.get(name) ?? 0
    let rate = this.#groups.get(name)
    if (rate === undefined) this.#groups.set(name, (rate = new StartRate(perMinute, this.#clock)))
    else rate.perMinute = perMinute
    return rate
  }

  /** The limited groups `node` is in, by name; computed once per topology. */
  #groupsOf(node: string, topology: Topology): readonly string[] {
    if (topology.groupRates.size === 0) return []
    let byNode = this.#membership.get(topology)
    if (byNode === undefined) {
      byNode = new Map()
      for (const group of [...topology.groupRates.keys()].sort()) {
        for (const member of topology.groups.get(group) ?? []) {
          const groups = byNode.get(member)
          if (groups) groups.push(group)
          else byNode.set(member, [group])
        }
      }
      this.#membership.set(topology, byNode)
    }
    return byNode.get(node) ?? []
  }
}
