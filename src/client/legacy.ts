import { NoSuchGroupError, UnparsedTargetsError } from './errors.ts'
import type { Request } from './http.ts'
import type { TargetQuery } from './targets.ts'
import { parseGroupList } from './wire.ts'

/**
 * What to do when a server (power-server 1.0) refused the targets' syntax before acting: a
 * form it parses, the names spelled out as `a,b,c`, when the client knows every name. Groups
 * it must resolve itself, so a group it lacks ends the command (NoSuchGroupError); with groups
 * it has, there is nothing better to send and the refusal stands.
 */
export async function legacyRetry(
  refusal: UnparsedTargetsError,
  targets: TargetQuery,
  request: Request,
): Promise<{ nodes: string }> {
  if (targets.groups.length > 0) {
    await requireGroups(targets, request)
    throw refusal
  }
  if (targets.names.length === 0) throw refusal
  const names = [...new Set(targets.names)].join(',')
  if (names === targets.query.nodes) throw refusal
  return { nodes: names }
}

/**
 * Every group the targets name must be one the server has: power-server 1.0 has none and
 * ignores `?groups=`, answering an empty list, which would otherwise read as "nothing matched".
 */
export async function requireGroups(targets: TargetQuery, request: Request): Promise<void> {
  if (targets.groups.length === 0) return
  const known = new Set(parseGroupList(await request('GET', '/groups')).map((group) => group.name))
  const lacking = targets.groups.filter((group) => !known.has(group))
  if (lacking.length === 0) return
  const which = lacking.map((group) => `"${group}"`).join(', ')
  throw new NoSuchGroupError(
    known.size === 0
      ? `The power server has no group ${which}: it has no groups at all (power-server 1.0 has none); name the nodes instead, e.g. 'node[01-10]'`
      : `The power server has no group ${which}; "flight-power list --groups" lists the ones it has`,
  )
}
