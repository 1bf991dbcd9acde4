import type { Topology } from '../../topology/index.ts'
import { compareNatural, supportedActions } from '../../topology/index.ts'
import { MISSING_PLATFORM, type NodeResult } from '../../engine/index.ts'

/** One JSON:API resource object. */
export interface Resource {
  type: string
  id: string
  attributes: Record<string, unknown>
}

/**
 * power-server 1.0's `commands` document, attribute for attribute and in its order, plus the
 * new `state`, `exit-code`, `duration-ms` and `message`. A status from the last known state
 * adds `cached: true`, `seen-at`, `age-seconds` and `seen-by`.
 */
export function commandsDocument(results: readonly NodeResult[]): { data: Resource[] } {
  return { data: results.map(commandResource) }
}

/**
 * One node's `commands` resource, the same in the JSON:API document and in each line of a
 * result stream. `running` exists only for `status` and is null when the status could not be
 * read.
 */
export function commandResource(result: NodeResult): Resource {
  const attributes: Record<string, unknown> = {
    action: result.action,
    'node-name': result.name,
    platform: result.platform,
    missing: result.missing,
    success: result.success,
  }
  if (result.action === 'status') {
    attributes.running = result.state === 'on' ? true : result.state === 'off' ? false : null
    attributes.state = result.state ?? 'unknown'
  }
  attributes['exit-code'] = result.exitCode
  attributes['duration-ms'] = result.durationMs
  attributes.message = result.message
  if (result.attempts !== undefined) attributes.attempts = result.attempts
  if (result.startedAt !== undefined) attributes['started-at'] = result.startedAt
  if (result.forced !== undefined) attributes.forced = result.forced
  if (result.cached) {
    attributes.cached = true
    attributes['seen-at'] = result.cached.seenAt
    attributes['age-seconds'] = Math.floor(result.cached.ageMs / 1000)
    attributes['seen-by'] = result.cached.seenBy
  }
  return { type: 'commands', id: result.name, attributes }
}

/**
 * `GET /nodes`: each node's name, platform and the actions its platform supports, never its
 * variables (they may hold secrets).
 */
export function nodesDocument(topology: Topology): { data: Resource[] } {
  const names = [...topology.nodes.keys()].sort(compareNatural)
  const actions = new Map(
    [...topology.platforms.values()].map((platform) => [platform.name, supportedActions(platform)]),
  )
  return {
    data: names.map((name) => {
      const platform = topology.nodes.get(name)?.platform ?? MISSING_PLATFORM
      return {
        type: 'nodes',
        id: name,
        attributes: { name, platform, actions: actions.get(platform) ?? [] },
      }
    }),
  }
}

/** `GET /groups`: each group with its member nodes in natural order. */
export function groupsDocument(topology: Topology): { data: Resource[] } {
  const names = [...topology.groups.keys()].sort(compareNatural)
  return {
    data: names.map((name) => ({
      type: 'groups',
      id: name,
      attributes: { name, nodes: [...(topology.groups.get(name) ?? [])] },
    })),
  }
}

/** A JSON:API error document with one error. */
export function errorDocument(error: {
  status: number
  title: string
  detail: string
  code?: string
}) {
  const { status, title, detail, code } = error
  return { errors: [{ status: String(status), ...(code ? { code } : {}), title, detail }] }
}
