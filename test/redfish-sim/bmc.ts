/**
 * One simulated BMC: its systems and sessions, the Redfish routes a power-management client
 * uses, and a record of everything it received, which tests read instead of guessing.
 */
import { errorBody, message, type MessageKey } from './messages.ts'
import type { BmcConfig, ResetType } from './options.ts'
import type { Clock } from './power.ts'
import * as R from './resources.ts'
import { ComputerSystem, PatchRefused, type BootSettings, type SystemSnapshot } from './system.ts'

/** A change the BMC carried out, in the order it arrived. */
export type BmcEvent =
  | { readonly type: 'reset'; readonly system: string; readonly resetType: ResetType }
  | { readonly type: 'boot'; readonly system: string; readonly boot: Partial<BootSettings> }
  | {
      readonly type: 'indicator'
      readonly system: string
      readonly property: 'LocationIndicatorActive' | 'IndicatorLED'
      readonly value: boolean | string
    }
  | { readonly type: 'session-created'; readonly session: string; readonly user: string }
  | { readonly type: 'session-deleted'; readonly session: string }

/** One request as the BMC saw it, with the status it answered. */
export interface RequestRecord {
  readonly method: string
  readonly path: string
  readonly status: number
  /** How the request authenticated: a session token, Basic, or not at all (or failed). */
  readonly auth: 'session' | 'basic' | 'none'
  readonly ifMatch: string | null
}

/** Requests kept per BMC; older ones are dropped so long benchmarks stay bounded. */
const REQUEST_LOG = 2000

const PUBLIC_GETS = new Set(['/redfish', '/redfish/v1', '/redfish/v1/odata'])

type Auth = 'session' | 'basic' | 'none'

export class Bmc {
  readonly config: BmcConfig
  readonly systems: ReadonlyMap<string, ComputerSystem>
  readonly #sessions = new Map<string, R.Session>()
  readonly #uuid = crypto.randomUUID()
  #events: BmcEvent[] = []
  #requests: RequestRecord[] = []
  #seen = 0
  #conflicts: number

  constructor(config: BmcConfig, clock: Clock) {
    this.config = config
    this.systems = new Map(config.systems.map((id) => [id, new ComputerSystem(id, config, clock)]))
    this.#conflicts = config.etagConflicts
  }

  /** Changes carried out so far (resets, boot PATCHes, indicator changes, sessions). */
  events(): readonly BmcEvent[] {
    return [...this.#events]
  }

  /** The last requests received (up to 2,000), oldest first. */
  requests(): readonly RequestRecord[] {
    return [...this.#requests]
  }

  /** Sessions open now. */
  sessionCount(): number {
    return this.#sessions.size
  }

  snapshot(): SystemSnapshot[] {
    return [...this.systems.values()].map((s) => s.snapshot())
  }

  /** Forget the record, not the state. */
  clearRecord(): void {
    this.#events = []
    this.#requests = []
  }

  async handle(request: Request): Promise<Response> {
    const path = normalise(new URL(request.url).pathname)
    const ifMatch = request.headers.get('if-match')
    let auth: Auth = 'none'
    let response: Response
    this.#seen++
    if (this.#seen <= this.config.unavailable) {
      const seconds = String(this.config.retryAfter)
      response = fail(503, 'ServiceTemporarilyUnavailable', [seconds], { 'Retry-After': seconds })
    } else {
      const checked = this.#authenticate(request, path)
      if (checked instanceof Response) response = checked
      else {
        auth = checked
        response = await this.#route(request, path, ifMatch)
      }
    }
    this.#requests.push({ method: request.method, path, status: response.status, auth, ifMatch })
    if (this.#requests.length > REQUEST_LOG) this.#requests.shift()
    return response
  }

  #authenticate(request: Request, path: string): Auth | Response {
    const method = request.method
    if (method === 'GET' && PUBLIC_GETS.has(path)) return 'none'
    if (method === 'POST' && path === R.SESSIONS) return 'none'
    const token = request.headers.get('x-auth-token')
    if (token !== null) {
      for (const s of this.#sessions.values()) if (s.token === token) return 'session'
      return fail(401, 'NoValidSession', [])
    }
    const header = request.headers.get('authorization') ?? ''
    const basic = /^Basic\s+(\S+)$/i.exec(header)
    if (basic === null) return fail(401, 'NoValidSession', [], { 'WWW-Authenticate': REALM })
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon >= 0 && this.#accepts(decoded.slice(0, colon), decoded.slice(colon + 1)))
      return 'basic'
    return unauthorized(path)
  }

  #accepts(user: unknown, password: unknown): boolean {
    return user === this.config.username && password === this.config.password
  }

  async #route(request: Request, path: string, ifMatch: string | null): Promise<Response> {
    const method = request.method
    if (path === '/redfish') return only(method, 'GET') ?? ok(R.versions())
    if (path === '/redfish/v1')
      return only(method, 'GET') ?? ok(R.serviceRoot(this.config, this.#uuid))
    if (path === '/redfish/v1/odata') return only(method, 'GET') ?? ok(R.odata())
    if (path === '/redfish/v1/Systems') {
      const members = [...this.systems.values()].map((s) => s.path)
      const body = R.collection(
        path,
        'ComputerSystemCollection',
        'Computer System Collection',
        members,
      )
      return only(method, 'GET') ?? ok(body)
    }
    if (path === '/redfish/v1/Managers') {
      const body = R.collection(path, 'ManagerCollection', 'Manager Collection', [
        '/redfish/v1/Managers/bmc',
      ])
      return only(method, 'GET') ?? ok(body)
    }
    if (path === '/redfish/v1/Managers/bmc') return only(method, 'GET') ?? ok(R.manager())
    if (path === '/redfish/v1/SessionService') return only(method, 'GET') ?? ok(R.sessionService())
    if (path === R.SESSIONS) {
      if (method === 'POST') return this.#login(request)
      const members = [...this.#sessions.values()].map((s) => `${R.SESSIONS}/${s.id}`)
      return (
        only(method, 'GET') ??
        ok(R.collection(path, 'SessionCollection', 'Session Collection', members))
      )
    }
    if (path.startsWith(`${R.SESSIONS}/`)) return this.#session(method, path)
    const system = /^\/redfish\/v1\/Systems\/([^/]+)(\/.*)?$/.exec(path)
    const target = system ? this.systems.get(system[1] ?? '') : undefined
    if (target !== undefined) {
      const rest = system?.[2] ?? ''
      if (rest === '') {
        if (method === 'PATCH') return this.#patch(request, target, ifMatch)
        if (method !== 'GET') return notAllowed()
        const { body, etag } = target.render()
        return ok(body, 200, { ETag: etag })
      }
      if (rest === '/Actions/ComputerSystem.Reset')
        return only(method, 'POST') ?? this.#reset(request, target)
      if (rest === '/ResetActionInfo' && this.config.resetInfo === 'ActionInfo')
        return only(method, 'GET') ?? ok(R.resetActionInfo(target.actionInfoPath, this.config))
    }
    return fail(404, 'ResourceMissingAtURI', [path])
  }

  async #login(request: Request): Promise<Response> {
    const body = await readJson(request)
    if (body instanceof Response) return body
    for (const key of ['UserName', 'Password'])
      if (typeof body[key] !== 'string') return fail(400, 'PropertyMissing', [key])
    if (!this.#accepts(body.UserName, body.Password)) return unauthorized(R.SESSIONS)
    const s: R.Session = {
      id: randomHex(8),
      token: randomHex(16),
      user: String(body.UserName),
    }
    this.#sessions.set(s.id, s)
    this.#events.push({ type: 'session-created', session: s.id, user: s.user })
    return ok(R.session(s), 201, {
      Location: `${R.SESSIONS}/${s.id}`,
      'X-Auth-Token': s.token,
    })
  }

  #session(method: string, path: string): Response {
    const id = path.slice(R.SESSIONS.length + 1)
    const s = this.#sessions.get(id)
    if (s === undefined) return fail(404, 'ResourceMissingAtURI', [path])
    if (method === 'GET') return ok(R.session(s))
    if (method !== 'DELETE') return notAllowed()
    this.#sessions.delete(id)
    this.#events.push({ type: 'session-deleted', session: id })
    return new Response(null, { status: 204, headers: { 'OData-Version': '4.0' } })
  }

  async #reset(request: Request, system: ComputerSystem): Promise<Response> {
    const action = 'ComputerSystem.Reset'
    const body = await readJson(request)
    if (body instanceof Response) return body
    for (const key of Object.keys(body))
      if (key !== 'ResetType') return fail(400, 'ActionParameterUnknown', [action, key])
    const value = body.ResetType
    if (value === undefined) return fail(400, 'ActionParameterMissing', [action, 'ResetType'])
    const resetType = this.config.resetTypes.find((t) => t === value)
    if (resetType === undefined)
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- echoes what the client sent, as a BMC does
      return fail(400, 'ActionParameterValueNotInList', [String(value), 'ResetType', action])
    system.power.reset(resetType, this.config.ignoreGraceful)
    this.#events.push({ type: 'reset', system: system.id, resetType })
    return ok({ '@Message.ExtendedInfo': [message('Success')] })
  }

  async #patch(
    request: Request,
    system: ComputerSystem,
    ifMatch: string | null,
  ): Promise<Response> {
    if (ifMatch !== null) {
      if (this.#conflicts > 0) {
        this.#conflicts--
        return fail(412, 'PreconditionFailed', [])
      }
      if (ifMatch.trim() !== '*' && ifMatch.trim() !== system.render().etag)
        return fail(412, 'PreconditionFailed', [])
    } else if (this.config.requireIfMatch) {
      return fail(428, 'PreconditionRequired', [])
    }
    const body = await readJson(request)
    if (body instanceof Response) return body
    try {
      for (const change of system.patch(body)) this.#events.push({ ...change, system: system.id })
    } catch (error) {
      if (error instanceof PatchRefused) return fail(error.status, error.key, error.args)
      throw error
    }
    const { body: resource, etag } = system.render()
    return ok(resource, 200, { ETag: etag })
  }
}

const REALM = 'Basic realm="Redfish"'

function normalise(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}

function headers(extra: Record<string, string>): Record<string, string> {
  return {
    'Content-Type': 'application/json; charset=utf-8',
    'OData-Version': '4.0',
    'Cache-Control': 'no-store',
    ...extra,
  }
}

function ok(body: object, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: headers(extra) })
}

function fail(
  status: number,
  key: MessageKey,
  args: readonly string[],
  extra: Record<string, string> = {},
): Response {
  return ok(errorBody(key, args), status, extra)
}

/** A wrong user or password, as bmcweb answers it: 401 with ResourceAtUriUnauthorized. */
function unauthorized(path: string): Response {
  return fail(401, 'ResourceAtUriUnauthorized', [path, 'Invalid username or password'], {
    'WWW-Authenticate': REALM,
  })
}

function notAllowed(): Response {
  return fail(405, 'OperationNotAllowed', [])
}

function only(method: string, allowed: string): Response | undefined {
  return method === allowed ? undefined : notAllowed()
}

async function readJson(request: Request): Promise<Record<string, unknown> | Response> {
  const text = await request.text()
  if (text.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>
  } catch {
    // Falls through to the same answer as a JSON value that is not an object.
  }
  return fail(400, 'MalformedJSON', [])
}

function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex')
}
