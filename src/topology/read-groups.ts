import {
  compareNatural,
  expandHostlist,
  foldHostlist,
  HostlistError,
  isValidNodeName,
} from './hostlist.ts'
import { isRecord, type Path, type Report } from './report.ts'
import type { Node } from './types.ts'

/** `@all` names every node unless the topology defines a group of that name itself. */
export const ALL_GROUP = 'all'

/**
 * Read `groups:`: each name maps to a hostlist or a list of them, which may name other
 * groups (`compute: "@rack1,@rack2"`). Members must be defined nodes; a node already
 * rejected for its own errors (`declared` but not in `nodes`) is not reported again.
 */
export function readGroups(
  value: unknown,
  nodes: ReadonlyMap<string, Node>,
  declared: Pick<ReadonlySet<string>, 'has'>,
  report: Report,
): Map<string, string[]> {
  const specs = new Map<string, unknown>()
  if (value !== undefined && value !== null && !isRecord(value)) {
    report(['groups'], 'must be a mapping of group names to hostlists, e.g. compute: node[01-32]')
  } else if (value) {
    for (const [name, spec] of Object.entries(value)) {
      if (isValidNodeName(name)) specs.set(name, spec)
      else report(['groups', name], 'group names may hold letters, digits, ".", "_" and "-"')
    }
  }

  const groups = new Map<string, string[]>()
  const resolving = new Set<string>()
  const allNodes = () => [...nodes.keys()].sort(compareNatural)

  function resolve(name: string): readonly string[] | undefined {
    const known = groups.get(name)
    if (known) return known
    if (!specs.has(name)) return name === ALL_GROUP ? allNodes() : undefined
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
    const expressions = Array.isArray(spec) ? spec : [spec]
    expressions.forEach((expression, index) => {
      const path: Path = Array.isArray(spec) ? ['groups', name, index] : ['groups', name]
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
  if (!groups.has(ALL_GROUP)) groups.set(ALL_GROUP, allNodes())
  return groups
}
