import { ACTIONS, type Action, type PowerState } from '../topology/index.ts'
import { ServerResponseError } from './errors.ts'
import { oneLine } from './text.ts'

/** One node's answer to an action, as the client uses it whatever server version sent it. */
export interface NodeResult {
  readonly name: string
  readonly platform: string | null
  readonly missing: boolean
  readonly success: boolean
  /** Power state: sent by flight-power, derived from `running` for power-server 1.0's status. */
  readonly state: PowerState | null
  readonly exitCode: number | null
  readonly durationMs: number | null
  readonly message: string | null
  /** `shutdown --force-after`: the node was powered off hard. */
  readonly forced?: boolean
  /** Attempts of the script, when the platform retries. */
  readonly attempts?: number
  /** When the node's action began (ISO 8601): for power-ons, when the power-on rate let it. */
  readonly startedAt?: string
  /** `status --cached`: the state came from the server's last known state, this old. */
  readonly ageSeconds?: number
}

/** A node as `GET /nodes` lists it. */
export interface ListedNode {
  readonly name: string
  readonly platform: string | null
  /** What the node's platform can do; absent from power-server 1.0. */
  readonly actions?: readonly Action[]
  /** `GET /nodes?state=1`: the last known state (null: never read) and its age. */
  readonly state?: PowerState | null
  readonly ageSeconds?: number | null
}

/** A group as `GET /groups` lists it. */
export interface ListedGroup {
  readonly name: string
  readonly nodes: readonly string[]
}

const STATES: readonly string[] = ['on', 'off', 'unknown']

/**
 * Read a `commands` document (SPEC §5). Only power-server 1.0's attributes are required;
 * the newer ones are used when present, so the client works against either server.
 */
export function parseCommandResults(doc: unknown, action: Action): NodeResult[] {
  return resources(doc).map((resource, index) => parseCommand(resource, action, `data[${index}]`))
}

/** Read one `commands` resource: an item of the document's `data`, or one line of a stream. */
export function parseCommand(value: unknown, action: Action, where: string): NodeResult {
  const resource: Resource = record(value, where)
  const at = `${where}.attributes`
  const attributes = record(resource.attributes, at)
  const name = oneLine(
    text(attributes['node-name'], `${at}.node-name`, true) ?? text(resource.id, `${where}.id`)!,
  )
  const missing = bool(attributes.missing, `${at}.missing`)
  const success = bool(attributes.success, `${at}.success`)
  const running =
    attributes.running === undefined || attributes.running === null
      ? null
      : bool(attributes.running, `${at}.running`)
  const sent = attributes.state
  let state: PowerState | null = null
  // A node the server does not know has no power state, whatever placeholder was sent.
  if (missing) state = null
  else if (typeof sent === 'string' && STATES.includes(sent)) state = sent as PowerState
  else if (action === 'status') state = !success ? 'unknown' : running ? 'on' : 'off'
  const message = text(attributes.message, `${at}.message`, true)
  return {
    name,
    // Both servers name the platform of an unknown node "missing"; it has none.
    platform: missing ? null : (text(attributes.platform, `${at}.platform`, true) ?? null),
    missing,
    success,
    state,
    exitCode: number(attributes['exit-code']),
    durationMs: number(attributes['duration-ms']),
    message: message === undefined || message.trim() === '' ? null : oneLine(message),
    ...(attributes.forced === true || attributes.forced === false
      ? { forced: attributes.forced }
      : {}),
    ...(typeof attributes.attempts === 'number' ? { attempts: attributes.attempts } : {}),
    ...(typeof attributes['started-at'] === 'string'
      ? { startedAt: oneLine(attributes['started-at']) }
      : {}),
    ...(attributes.cached === true && typeof attributes['age-seconds'] === 'number'
      ? { ageSeconds: attributes['age-seconds'] }
      : {}),
  }
}

/** Read a `nodes` document: names, and the platform when the server says. */
export function parseNodeList(doc: unknown): ListedNode[] {
  return resources(doc).map((resource, index) => {
    const attributes =
      resource.attributes === undefined
        ? {}
        : record(resource.attributes, `data[${index}].attributes`)
    const name =
      text(attributes.name, `data[${index}].attributes.name`, true) ??
      text(resource.id, `data[${index}].id`)!
    const platform = text(attributes.platform, `data[${index}].attributes.platform`, true) ?? null
    const actions = Array.isArray(attributes.actions)
      ? attributes.actions.filter((a): a is Action => (ACTIONS as readonly unknown[]).includes(a))
      : undefined
    const state = attributes.state
    const age = attributes['age-seconds']
    return {
      name: oneLine(name),
      platform: platform === null ? null : oneLine(platform),
      ...(actions ? { actions } : {}),
      ...(state === null || (typeof state === 'string' && STATES.includes(state))
        ? { state: state as PowerState | null, ageSeconds: typeof age === 'number' ? age : null }
        : {}),
    }
  })
}

/** Read a `groups` document; members may come as a list or as one hostlist string. */
export function parseGroupList(doc: unknown): ListedGroup[] {
  return resources(doc).map((resource, index) => {
    const at = `data[${index}].attributes`
    const attributes = resource.attributes === undefined ? {} : record(resource.attributes, at)
    const name =
      text(attributes.name, `${at}.name`, true) ?? text(resource.id, `data[${index}].id`)!
    const members = attributes.nodes
    let nodes: string[]
    if (members === undefined || members === null) nodes = []
    else if (typeof members === 'string') nodes = members.split(',').filter((item) => item !== '')
    else if (Array.isArray(members) && members.every((item) => typeof item === 'string'))
      nodes = members
    else throw unexpected(`${at}.nodes`, 'a list of names')
    return { name: oneLine(name), nodes: nodes.map(oneLine) }
  })
}

interface Resource {
  readonly id?: unknown
  readonly attributes?: unknown
}

function resources(doc: unknown): Resource[] {
  const data = record(doc, 'the reply').data
  if (!Array.isArray(data)) throw unexpected('data', 'a list')
  return data.map((item, index) => record(item, `data[${index}]`))
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw unexpected(at, 'an object')
  return value as Record<string, unknown>
}

function text(value: unknown, at: string, optional = false): string | undefined {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number') return String(value)
  if (optional && (value === undefined || value === null)) return undefined
  throw unexpected(at, 'a string')
}

function bool(value: unknown, at: string): boolean {
  if (typeof value === 'boolean') return value
  throw unexpected(at, 'true or false')
}

function number(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function unexpected(at: string, expected: string): ServerResponseError {
  return new ServerResponseError(
    `The power server sent a reply this client does not understand: ${at}: expected ${expected}; check that base_url points at flight-power-server or power-server`,
    { status: 200, code: 'ERR_BAD_REPLY' },
  )
}
