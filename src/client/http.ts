import { errorMessage, type Action } from '../topology/index.ts'
import type { ClientConfig } from './config.ts'
import {
  ServerResponseError,
  TargetError,
  TokenRejectedError,
  UnparsedTargetsError,
  UnreachableError,
} from './errors.ts'
import { oneLine } from './text.ts'
import { readBody, ReplyTooLargeError, tooLarge } from './reply-limit.ts'
import { certificateAdvice, fetchTls, isCertificateError } from './tls.ts'

export type Method = 'GET' | 'PATCH' | 'DELETE' | 'PUT' | 'POST'

/**
 * Where each action is sent: power-server 1.0's verbs on `/` for its four, so either server
 * understands them; `POST /actions/{name}` for the actions of SPEC §10.
 */
export const ACTION_ROUTE: Readonly<Record<Action, { method: Method; path: string }>> = {
  status: { method: 'GET', path: '/' },
  power_on: { method: 'PATCH', path: '/' },
  power_off: { method: 'DELETE', path: '/' },
  restart: { method: 'PUT', path: '/' },
  cycle: { method: 'POST', path: '/actions/cycle' },
  shutdown: { method: 'POST', path: '/actions/shutdown' },
  identify: { method: 'POST', path: '/actions/identify' },
  bootdev: { method: 'POST', path: '/actions/bootdev' },
}

/** One API call: the parsed JSON body of a 2xx reply, or a client error saying what to do. */
export interface Request {
  (
    method: Method,
    path: string,
    query?: Readonly<Record<string, string | undefined>>,
    body?: Readonly<Record<string, unknown>>,
  ): Promise<unknown>
  /**
   * The same call, but the 2xx reply is returned unread, for a caller that reads its body as
   * it arrives (a result stream); `accept` is sent as is, `signal` also aborts it.
   */
  open(
    method: Method,
    path: string,
    query: Readonly<Record<string, string | undefined>>,
    body: Readonly<Record<string, unknown>> | undefined,
    options: { accept: string; signal?: AbortSignal },
  ): Promise<Response>
}

/** Options of `createRequest`. */
export interface RequestOptions {
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch
  /** Called with one line per request and reply (`--debug`); never given the token. */
  readonly debug?: (line: string) => void
}

/**
 * Build the function every command talks to the server through. Each failure becomes one
 * sentence naming the server and what to try, because the people reading it are operators
 * at a console, not developers at a debugger.
 */
export function createRequest(config: ClientConfig, options: RequestOptions = {}): Request {
  const doFetch = options.fetch ?? fetch
  const debug = options.debug
  const origin = new URL(config.baseUrl).origin
  // Once per client, not per request: with a CA file it copies every bundled root certificate.
  const tls = fetchTls(config.ca)

  const open: Request['open'] = async (method, path, query, body, { accept, signal }) => {
    const url = `${config.baseUrl}${path}${encodeQuery(query)}`
    const started = performance.now()
    debug?.(`> ${method} ${url}`)
    let response: Response
    try {
      const timeout = AbortSignal.timeout(config.timeoutMs)
      response = await doFetch(url, {
        ...tls,
        method,
        headers: {
          authorization: `Bearer ${config.token}`,
          accept,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        redirect: 'manual',
      })
    } catch (error) {
      debug?.(`< ${describeCause(error)}`)
      throw fetchFailure(error, config, origin)
    }
    debug?.(
      `< ${response.status} ${response.headers.get('content-type') ?? ''} (${Math.round(performance.now() - started)} ms)`,
    )
    if (response.ok) return response
    throw statusFailure(response, await readText(response, config, origin), {
      config,
      method,
      path,
    })
  }

  const request = async function request(
    method: Method,
    path: string,
    query: Readonly<Record<string, string | undefined>> = {},
    body?: Readonly<Record<string, unknown>>,
  ) {
    const response = await open(method, path, query, body, { accept: 'application/json' })
    return readJson(response, config)
  }
  return Object.assign(request, { open })
}

/**
 * The whole body as text, read up to MAX_REPLY_BYTES; a connection lost mid-way is the same
 * failure as before the reply.
 */
/** A reply's body as JSON, read as `readText` reads it; anything else is `notJson`. */
export async function readJson(response: Response, config: ClientConfig): Promise<unknown> {
  const text = await readText(response, config, new URL(config.baseUrl).origin)
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw notJson(response, config, error)
  }
}

async function readText(response: Response, config: ClientConfig, origin: string) {
  try {
    return await readBody(response)
  } catch (error) {
    if (error instanceof ReplyTooLargeError) throw tooLarge(error, config, origin)
    throw fetchFailure(error, config, origin)
  }
}

/**
 * Every value fully percent-encoded. power-server 1.0 decodes standard query strings, so
 * this and power-client's form (only `[` `]` escaped) both reach it intact.
 */
export function encodeQuery(query: Readonly<Record<string, string | undefined>>): string {
  const pairs = Object.entries(query).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  )
  if (pairs.length === 0) return ''
  return `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`
}

/** A failure to reach the server, or to read its reply, in one sentence. */
export function fetchFailure(
  error: unknown,
  config: ClientConfig,
  origin: string,
): UnreachableError {
  const name = (error as { name?: string })?.name
  if (name === 'TimeoutError' || name === 'AbortError') {
    const seconds = config.timeoutMs / 1000
    return new UnreachableError(
      `The power server at ${origin} did not answer within ${seconds}s; it may still be acting on the nodes: check with "flight-power status" later, or allow longer with --timeout`,
      { code: 'ERR_TIMEOUT', cause: error },
    )
  }
  const raw = (error as { code?: unknown } | undefined)?.code
  const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : ''
  const host = new URL(config.baseUrl).hostname
  const prefix = `Cannot reach the power server at ${origin}`
  if (code === 'ECONNREFUSED') {
    return new UnreachableError(
      `${prefix}: connection refused; is flight-power-server running there? (systemctl status flight-power-server)`,
      { code: 'ERR_CONNECTION_REFUSED', cause: error },
    )
  }
  if (
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'EAI_NONAME' ||
    code === 'EAI_FAIL'
  ) {
    return new UnreachableError(
      `${prefix}: host "${host}" not found; check base_url (from ${config.urlSource})`,
      { code: 'ERR_HOST_NOT_FOUND', cause: error },
    )
  }
  if (isCertificateError(code)) {
    return new UnreachableError(`${prefix}: ${certificateAdvice(code, config.ca)}`, {
      code: 'ERR_TLS',
      cause: error,
    })
  }
  return new UnreachableError(
    `${prefix}: ${describeCause(error)}; check the network and base_url (from ${config.urlSource})`,
    { cause: error },
  )
}

function statusFailure(
  response: Response,
  body: string,
  context: { config: ClientConfig; method: Method; path: string },
): Error {
  const { config } = context
  const status = response.status
  const detail = errorDetail(body) ?? response.statusText
  const said = detail ? `${status}: ${detail}` : String(status)
  const origin = new URL(config.baseUrl).origin
  if (status === 401) {
    // The server's own detail may already give the advice ("Token expired: ask ..."): once is enough.
    const advice = /flight-power token/.test(said)
      ? ''
      : '; ask your administrator for a new one (they run "flight-power token" on the server host)'
    return new TokenRejectedError(
      `The power server rejected the token from ${config.tokenSource} (${said})${advice}`,
      { status },
    )
  }
  if (status === 403 && errorCode(body) === 'ERR_SCOPE') {
    return new TokenRejectedError(
      `The token from ${config.tokenSource} does not allow this (${said}); power actions need a token with the "power" scope: ask your administrator for one`,
      { status, scope: true },
    )
  }
  if (status === 403) {
    // power-server 1.0 answers every refused token so, with no reason: say what it may be.
    return new TokenRejectedError(
      `The power server refused the token from ${config.tokenSource} (${status}: ${plainText(body) || 'Forbidden'}): it has expired, was signed with another secret, or lacks the scope for this; ask your administrator for a new one (they run "flight-power token" on the server host)`,
      { status },
    )
  }
  if (status === 400 && errorDetail(body) === undefined)
    return new UnparsedTargetsError(
      `The power server refused the request (${status}: ${plainText(body) || response.statusText})`,
    )
  if (status === 400) return new TargetError(`The power server refused the request (${said})`)
  if (status === 414 || status === 431) {
    // Bun and most proxies cap a request line at 8-16 KiB: about 1,500 names written out.
    return new TargetError(
      `Too many node names to send in one request (${status}); name them with ranges such as node[001-500] or a group (@name)`,
    )
  }
  if (status === 404) {
    return new ServerResponseError(
      `The power server at ${config.baseUrl} has no ${context.method} ${context.path} (${said}); check that base_url (from ${config.urlSource}) points at flight-power-server, with the right path prefix`,
      { status, code: 'ERR_NOT_FOUND' },
    )
  }
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location') ?? 'elsewhere'
    return new ServerResponseError(
      `The power server at ${origin} redirected to ${location}; set base_url (from ${config.urlSource}) to the final address`,
      { status, code: 'ERR_REDIRECT' },
    )
  }
  if (status === 500) {
    return new ServerResponseError(
      `The power server at ${origin} failed (${said}); its log says why (journalctl -u flight-power-server)`,
      { status, code: 'ERR_SERVER_FAILED' },
    )
  }
  return new ServerResponseError(
    `The power server at ${origin} answered with an unexpected error (${said}); check that it is running, and any proxy in front of it`,
    { status },
  )
}

/** A 2xx reply that is not the JSON it should be. */
export function notJson(
  response: Response,
  config: ClientConfig,
  cause: unknown,
): ServerResponseError {
  const type = response.headers.get('content-type') ?? 'no content type'
  return new ServerResponseError(
    `The power server at ${config.baseUrl} sent a reply that is not JSON (${response.status}, ${type}); check that base_url (from ${config.urlSource}) points at flight-power-server and not at another service or proxy`,
    { status: response.status, code: 'ERR_NOT_JSON', cause },
  )
}

/** The `detail` (or `title`) of a JSON:API error document, cleaned for one line. */
function errorDetail(body: string): string | undefined {
  try {
    const doc = JSON.parse(body) as { errors?: { detail?: unknown; title?: unknown }[] }
    const first = Array.isArray(doc.errors) ? doc.errors[0] : undefined
    const text = first?.detail ?? first?.title
    return typeof text === 'string' && text.trim() !== '' ? oneLine(text) : undefined
  } catch {
    return undefined
  }
}

/** The `code` of a JSON:API error document's first error, if any. */
function errorCode(body: string): string | undefined {
  try {
    const doc = JSON.parse(body) as { errors?: { code?: unknown }[] }
    const code = Array.isArray(doc.errors) ? doc.errors[0]?.code : undefined
    return typeof code === 'string' ? code : undefined
  } catch {
    return undefined
  }
}

/** A short non-JSON body (power-server 1.0's `text/html`) as one line of text, tags removed. */
function plainText(body: string): string {
  if (body.length > 500 || body.trimStart().startsWith('{')) return ''
  return oneLine(body.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim()
}

function describeCause(error: unknown): string {
  const code = (error as { code?: unknown })?.code
  const message = errorMessage(error)
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
}
