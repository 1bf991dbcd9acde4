import { errorMessage } from '../topology/index.ts'
import type { Budget } from './budget.ts'
import { extendedInfoText, isRecord, RedfishError } from './errors.ts'

/** A JSON reply of a BMC. */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

/** How to trust a BMC's certificate: a CA (PEM text), the system's CAs, or not at all. */
export interface TrustOptions {
  readonly ca?: string
  readonly insecure: boolean
}

/** A request's extras: a JSON body and `If-Match`. */
export interface RequestOptions {
  readonly body?: unknown
  readonly ifMatch?: string
}

const SESSIONS = '/redfish/v1/SessionService/Sessions'
/** Seconds a 503/429 without `Retry-After` waits before the next try. */
const DEFAULT_RETRY_AFTER_SECONDS = 1
/** Most of a reply we read: a ComputerSystem is a few kB, a collection of a thousand members less than 100 kB. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024
/** Certificate failures as Bun (BoringSSL) and Node name them. */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|TLS|SSL/i

/**
 * One BMC reached as one account: a Redfish session (`X-Auth-Token`) made once and reused by
 * every step, over Bun's keep-alive connections. A session the BMC has forgotten is made
 * again once; `close()` deletes it.
 */
export class BmcConnection {
  readonly host: string
  readonly #base: string
  readonly #username: string
  readonly #password: string
  readonly #tls: { ca?: string; rejectUnauthorized: boolean }
  #token: string | undefined
  #location: string | undefined
  #login: Promise<void> | undefined

  constructor(options: { host: string; username: string; password: string; trust: TrustOptions }) {
    this.host = options.host
    this.#base = `https://${options.host}`
    this.#username = options.username
    this.#password = options.password
    this.#tls = {
      ...(options.trust.ca !== undefined ? { ca: options.trust.ca } : {}),
      rejectUnauthorized: !options.trust.insecure,
    }
  }

  /** Whether a session is open now. */
  get hasSession(): boolean {
    return this.#token !== undefined
  }

  /** An authenticated request; an error answer throws `RedfishError` with the BMC's message. */
  async request(
    method: string,
    path: string,
    budget: Budget,
    options: RequestOptions = {},
  ): Promise<Reply> {
    for (let fresh = false; ; fresh = true) {
      const token = await this.#session(budget)
      const reply = await this.#send(method, path, budget, { ...options, token })
      // A session the BMC dropped (timeout, reboot): log in again, once.
      if (reply.status === 401 && !fresh) {
        if (this.#token === token) this.#forget()
        continue
      }
      if (reply.status >= 400) throw httpError(reply, this.host)
      return reply
    }
  }

  /** Delete the session (at shutdown); never throws. */
  async close(timeoutMs = 5000): Promise<void> {
    const [token, location] = [this.#token, this.#location]
    this.#forget()
    if (token === undefined || location === undefined) return
    try {
      const response = await fetch(this.#url(location), {
        method: 'DELETE',
        headers: { 'X-Auth-Token': token },
        signal: AbortSignal.timeout(timeoutMs),
        tls: this.#tls,
      })
      await response.arrayBuffer()
    } catch {
      // The BMC will time the session out itself.
    }
  }

  async #session(budget: Budget): Promise<string> {
    while (this.#token === undefined) {
      this.#login ??= this.#logIn(budget).finally(() => (this.#login = undefined))
      await this.#login
    }
    return this.#token
  }

  async #logIn(budget: Budget): Promise<void> {
    const reply = await this.#send('POST', SESSIONS, budget, {
      body: { UserName: this.#username, Password: this.#password },
    })
    if (reply.status >= 400) throw httpError(reply, this.host)
    const token = reply.headers.get('x-auth-token')
    if (!token)
      throw new RedfishError(
        'ERR_REDFISH_REPLY',
        `BMC "${this.host}" made a session without an X-Auth-Token header`,
      )
    const location =
      reply.headers.get('location') ?? (isRecord(reply.body) ? reply.body['@odata.id'] : undefined)
    this.#token = token
    this.#location = typeof location === 'string' ? location : undefined
  }

  #forget(): void {
    this.#token = undefined
    this.#location = undefined
  }

  /** One request, waiting out 503/429 (`Retry-After`) while the budget has retries and time. */
  async #send(
    method: string,
    path: string,
    budget: Budget,
    options: RequestOptions & { token?: string },
  ): Promise<Reply> {
    for (;;) {
      const reply = await this.#fetch(method, path, budget, options)
      if (reply.status !== 503 && reply.status !== 429) return reply
      // A wait past the deadline is not taken: the BMC's own "unavailable" message is better.
      const wait = retryAfterMs(reply.headers.get('retry-after'))
      if (wait >= budget.leftMs || !budget.takeRetry()) return reply
      await budget.sleep(wait, this.host)
    }
  }

  async #fetch(
    method: string,
    path: string,
    budget: Budget,
    options: RequestOptions & { token?: string },
  ): Promise<Reply> {
    if (budget.signal?.aborted) throw budget.aborted()
    if (budget.leftMs <= 0) throw budget.timedOut(this.host)
    const headers: Record<string, string> = { Accept: 'application/json', 'OData-Version': '4.0' }
    if (options.token !== undefined) headers['X-Auth-Token'] = options.token
    if (options.ifMatch !== undefined) headers['If-Match'] = options.ifMatch
    if (options.body !== undefined) headers['Content-Type'] = 'application/json'
    try {
      const response = await fetch(this.#url(path), {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: budget.requestSignal(),
        tls: this.#tls,
        redirect: 'manual',
      })
      return { status: response.status, headers: response.headers, body: await readJson(response) }
    } catch (error) {
      throw this.#failure(error, budget)
    }
  }

  #url(path: string): string {
    return path.startsWith('https://')
      ? path
      : `${this.#base}${path.startsWith('/') ? '' : '/'}${path}`
  }

  /** Why a request got no answer, in words naming the BMC (and `redfish_ca_file` for TLS). */
  #failure(error: unknown, budget: Budget): RedfishError {
    if (error instanceof RedfishError) return error
    if (budget.signal?.aborted) return budget.aborted()
    const name = (error as Error | undefined)?.name
    if (name === 'TimeoutError' || budget.leftMs <= 0) return budget.timedOut(this.host)
    const raw = (error as { code?: unknown } | undefined)?.code
    const code = typeof raw === 'string' ? raw : ''
    const text = errorMessage(error)
    if (TLS_CODES.test(code))
      return new RedfishError(
        'ERR_REDFISH_TLS',
        `cannot verify the TLS certificate of BMC "${this.host}" (${text}): set redfish_ca_file to the CA that signed it, or redfish_insecure: true to skip the check`,
        { cause: error },
      )
    const why =
      code === 'ConnectionRefused' || code === 'ECONNREFUSED' ? 'connection refused' : text
    return new RedfishError('ERR_REDFISH_CONNECT', `cannot reach BMC "${this.host}": ${why}`, {
      cause: error,
    })
  }
}

/** The BMC's error answer as a RedfishError: its ExtendedInfo text, else the HTTP status. */
export function httpError(reply: Reply, host: string): RedfishError {
  const text = extendedInfoText(reply.body) ?? `BMC "${host}" answered HTTP ${reply.status}`
  return new RedfishError('ERR_REDFISH_HTTP', text, { status: reply.status })
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header !== null) {
    const trimmed = header.trim()
    if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
    const at = Date.parse(trimmed)
    if (!Number.isNaN(at)) return Math.max(0, at - now)
  }
  return DEFAULT_RETRY_AFTER_SECONDS * 1000
}

async function readJson(response: Response): Promise<unknown> {
  const length = Number(response.headers.get('content-length') ?? 0)
  if (length > MAX_REPLY_BYTES) {
    await response.body?.cancel()
    return undefined
  }
  const text = await response.text()
  if (text.length > MAX_REPLY_BYTES || text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
