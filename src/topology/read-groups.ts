import {
  compareNatural,
  expandHostlist,
  foldHostlist,
  HostlistError,
  isValidNodeName,
} from './hostlist.ts'
import { isRecord, type Path, type Report } from './problem-report.ts'
import type { Node } from './types.ts'

/** `@all` names every node; a topology may not define a group of that name. */
export const ALL_GROUP = 'all'

/** Most nodes per minute a group's `power_on_rate` may allow: one a millisecond is no limit. */
const MAX_RATE = 60_000

/** Groups and the power-on rates some of them carry. */
export interface ReadGroups {
  readonly groups: Map<string, string[]>
  readonly rates: Map<string, number>
}

/**
 * Read `groups:`: each name maps to a hostlist or a list of them, which may name other
 * groups (`compute: "@rack1,@rack2"`), or to `{ nodes: HOSTLIST, power_on_rate: N }`.
 * Members must be defined nodes; a node already rejected for its own errors (`declared`
 * but not in `nodes`) is not reported again.
 */
export function readGroups(
  value: unknown,
  nodes: ReadonlyMap<string, Node>,
  declared: Pick<ReadonlySet<string>, 'has'>,
  report: Report,
): ReadGroups {
  const rates = new Map<string, number>()
  const specs = new Map<string, unknown>()
  if (value !== undefined && value !== null && !isRecord(value)) {
    report(['groups'], 'must be a mapping of group names to hostlists, e.g. compute: node[01-32]')
  } else if (value) {
    for (const [name, spec] of Object.entries(value)) {
      if (!isValidNodeName(name))
        report(['groups', name], 'group names may hold letters, digits, ".", "_" and "-"')
      else if (name === ALL_GROUP)
        report(
          ['groups', name],
          'is built in: @all is every node, and a group of that name would replace it; choose another name',
        )
      else if (isRecord(spec)) specs.set(name, readLongForm(name, spec, rates, report))
      else specs.set(name, spec)
    }
  }

  const groups = new Map<string, string[]>()
  const resolving = new Set<string>()
  const allNodes = () => [...nodes.keys()].sort(compareNatural)

  function resolve(name: string): readonly string[] | undefined {
    const known = groups.get(name)
    if (known) return known
    if (name === ALL_GROUP) return allNodes()
    if (!specs.has(name)) return undefined
    if (resolving.has(name)) {
      const cycle = [...resolving, name].map((group) => `@${group}`).join(' → ')
      report(['groups', name], `includes itself: ${cycle}`)
      return []
    }
    resolving.add(name)
    const members = readMembers(name, specs.get(name))
    resolving.delete(name)
    groups.set(name, members)
    return members
  }

  function readMembers(name: string, spec: unknown): string[] {
    const members = new Set<string>()
    const long = spec instanceof LongForm
    const list = long ? spec.nodes : spec
    const base: Path = long ? ['groups', name, 'nodes'] : ['groups', name]
    const expressions = Array.isArray(list) ? list : [list]
    expressions.forEach((expression, index) => {
      const path: Path = Array.isArray(list) ? [...base, index] : base
      if (typeof expression !== 'string') {
        return report(path, 'must be a hostlist such as node[01-04], or a list of them')
      }
      try {
        const undefinedNodes: string[] = []
        for (const member of expandHostlist(expression, { resolveGroup: resolve })) {
          if (nodes.has(member)) members.add(member)
          else if (!declared.has(member)) undefinedNodes.push(member)
        }
        if (undefinedNodes.length > 0) {
          report(path, `names nodes that are not defined: ${foldHostlist(undefinedNodes)}`)
        }
      } catch (error) {
        if (!(error instanceof HostlistError)) throw error
        report(path, error.message)
      }
    })
    return [...members].sort(compareNatural)
  }

  for (const name of specs.keys()) resolve(name)
  groups.set(ALL_GROUP, allNodes())
  return { groups, rates }
}

/** A group given as a mapping: its members under `nodes`, and an optional `power_on_rate`. */
class LongForm {
  constructor(readonly nodes: unknown) {}
}

function readLongForm(
  name: string,
  spec: Record<string, unknown>,
  rates: Map<string, number>,
  report: Report,
): LongForm {
  for (const key of Object.keys(spec)) {
    if (key !== 'nodes' && key !== 'power_on_rate')
      report(['groups', name, key], 'unknown key: a group has "nodes" and "power_on_rate"')
  }
  if (spec.nodes === undefined) report(['groups', name], 'has no "nodes"')
  const rate = spec.power_on_rate
  if (rate !== undefined && rate !== null) {
    if (typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= MAX_RATE) {
      if (rate > 0) rates.set(name, rate)
    } else {
      report(
        ['groups', name, 'power_on_rate'],
        `must be a number of nodes per minute from 0 (no limit) to ${MAX_RATE}`,
      )
    }
  }
  return new LongForm(spec.nodes ?? [])
}
