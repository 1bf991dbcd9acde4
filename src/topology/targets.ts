import { DEFAULT_EXPANSION_LIMIT, expandHostlist, HostlistError } from './hostlist.ts'
import { suggestGroup } from './missing.ts'
import type { Topology } from './types.ts'

/** What a request names: node hostlists (which may hold `@group`) and group-name hostlists. */
export interface TargetRequest {
  readonly nodes?: string
  readonly groups?: string
}

/** Resolved targets in request order without duplicates; names the topology lacks stay in. */
export interface Targets {
  readonly names: readonly string[]
}

/**
 * Expand a request against a topology, as power-server did: nodes first, then the members
 * of each named group. Throws HostlistError for bad syntax, unknown groups or too many names.
 */
export function resolveTargets(
  topology: Topology,
  request: TargetRequest,
  limit = DEFAULT_EXPANSION_LIMIT,
): Targets {
  let unknownGroup: string | undefined
  const resolveGroup = (name: string) => {
    const members = topology.groups.get(name)
    if (!members) unknownGroup ??= name
    return members
  }
  // Expansion's own bound only stops runaway expressions; the request's limit is checked on
  // the distinct names below, so that its message is the one an administrator sees.
  const expansionLimit = Math.max(limit, DEFAULT_EXPANSION_LIMIT)
  const names = new Set<string>()
  const add = (name: string) => {
    names.add(name)
    if (names.size > limit) {
      throw new HostlistError(
        `Too many nodes in one request: more than ${limit} (the server's max_targets); split it`,
        request.nodes ?? request.groups ?? '',
      )
    }
  }
  if (request.nodes !== undefined) {
    try {
      for (const name of expandHostlist(request.nodes, { limit: expansionLimit, resolveGroup }))
        add(name)
    } catch (error) {
      if (!(error instanceof HostlistError) || unknownGroup === undefined) throw error
      const hint = suggestGroup(unknownGroup, topology)
      if (!hint) throw error
      throw new HostlistError(`${error.message}${hint}`, request.nodes)
    }
  }
  if (request.groups !== undefined) {
    for (const group of expandHostlist(request.groups, { limit: expansionLimit })) {
      const members = resolveGroup(group)
      if (!members)
        throw new HostlistError(
          `Unknown group "${group}"${suggestGroup(group, topology)}`,
          request.groups,
        )
      for (const name of members) add(name)
    }
  }
  return { names: [...names] }
}
