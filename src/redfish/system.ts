import type { Budget } from './budget.ts'
import type { BmcConnection } from './connection.ts'
import { isRecord, RedfishError } from './errors.ts'

export const SYSTEMS = '/redfish/v1/Systems'
const RESET = '#ComputerSystem.Reset'

/** A ComputerSystem as read: its body and its ETag (header, else `@odata.etag`). */
export interface SystemResource {
  readonly path: string
  readonly body: Record<string, unknown>
  readonly etag?: string
}

/** Where the allowed ResetType values came from, for `probe`. */
export type ResetTypeSource = 'AllowableValues' | 'ActionInfo' | 'not advertised'

/** The members of /redfish/v1/Systems, as paths. */
export async function systemMembers(bmc: BmcConnection, budget: Budget): Promise<string[]> {
  const reply = await bmc.request('GET', SYSTEMS, budget)
  const members = isRecord(reply.body) ? reply.body.Members : undefined
  if (!Array.isArray(members)) throw malformed(bmc, `${SYSTEMS} has no Members list`)
  return members
    .map((member) => (isRecord(member) ? member['@odata.id'] : undefined))
    .filter((id): id is string => typeof id === 'string')
}

/**
 * The path of the node's system: `redfish_system` as a path or an id, else the only member of
 * the Systems collection (several: an error naming them, so the administrator can choose).
 */
export async function resolveSystemPath(
  bmc: BmcConnection,
  system: string | undefined,
  budget: Budget,
): Promise<string> {
  if (system !== undefined)
    return system.startsWith('/') ? system : `${SYSTEMS}/${encodeURIComponent(system)}`
  const members = await systemMembers(bmc, budget)
  if (members.length === 1) return members[0]!
  if (members.length === 0)
    throw new RedfishError('ERR_REDFISH_REPLY', `BMC "${bmc.host}" lists no systems in ${SYSTEMS}`)
  throw new RedfishError(
    'ERR_REDFISH_SETTINGS',
    `BMC "${bmc.host}" has ${members.length} systems (${members.join(', ')}): set redfish_system to one of them`,
  )
}

export async function readSystem(
  bmc: BmcConnection,
  path: string,
  budget: Budget,
): Promise<SystemResource> {
  const reply = await bmc.request('GET', path, budget)
  if (!isRecord(reply.body)) throw malformed(bmc, `${path} is not a JSON object`)
  const etag = reply.headers.get('etag') ?? reply.body['@odata.etag']
  return { path, body: reply.body, ...(typeof etag === 'string' && etag !== '' ? { etag } : {}) }
}

/** The Reset action's target, falling back to the path DSP0266 prescribes. */
export function resetTarget(system: SystemResource): string {
  const action = resetAction(system)
  return typeof action?.target === 'string'
    ? action.target
    : `${system.path}/Actions/ComputerSystem.Reset`
}

/**
 * The ResetType values the service allows: inline `ResetType@Redfish.AllowableValues`, else
 * the action's `@Redfish.ActionInfo` resource; undefined when the service advertises neither.
 */
export async function allowedResetTypes(
  bmc: BmcConnection,
  system: SystemResource,
  budget: Budget,
): Promise<{ values?: readonly string[]; source: ResetTypeSource }> {
  const action = resetAction(system)
  const inline = strings(action?.['ResetType@Redfish.AllowableValues'])
  if (inline) return { values: inline, source: 'AllowableValues' }
  const info = action?.['@Redfish.ActionInfo']
  if (typeof info !== 'string') return { source: 'not advertised' }
  const reply = await bmc.request('GET', info, budget)
  const parameters = isRecord(reply.body) ? reply.body.Parameters : undefined
  const resetType = Array.isArray(parameters)
    ? (parameters as unknown[]).find((p) => isRecord(p) && p.Name === 'ResetType')
    : undefined
  const values = isRecord(resetType) ? strings(resetType.AllowableValues) : undefined
  return values ? { values, source: 'ActionInfo' } : { source: 'not advertised' }
}

function resetAction(system: SystemResource): Record<string, unknown> | undefined {
  const actions = system.body.Actions
  const action = isRecord(actions) ? actions[RESET] : undefined
  return isRecord(action) ? action : undefined
}

export function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined
}

function malformed(bmc: BmcConnection, what: string): RedfishError {
  return new RedfishError('ERR_REDFISH_REPLY', `BMC "${bmc.host}" answered oddly: ${what}`)
}
