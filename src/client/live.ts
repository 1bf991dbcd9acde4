import type { Action } from '../topology/index.ts'
import type { ClientConfig } from './config.ts'
import { ServerResponseError } from './errors.ts'
import { fetchFailure, readJson, type Method, type Request } from './http.ts'
import { MAX_REPLY_BYTES, ReplyTooLargeError, tooLarge } from './reply-limit.ts'
import { oneLine } from './text.ts'
import { parseCommand, parseCommandResults, type NodeResult } from './wire.ts'

/**
 * What the client asks for: flight-power answers with a result stream (SPEC §12); a server
 * that does not know ndjson (power-server 1.0) ignores it and sends its JSON:API document.
 */
export const LIVE_ACCEPT = 'application/x-ndjson, application/json;q=0.9'

/** How far the server has got with the request, from the stream's `meta`. */
export interface LiveProgress {
  readonly done: number
  readonly total: number
  readonly failed: number
  /** Nodes of this request waiting for the power-on rate. */
  readonly waitingForRate: number
}

/** The call to make. */
export interface LiveCall {
  readonly action: Action
  readonly method: Method
  readonly path: string
  readonly query: Readonly<Record<string, string | undefined>>
  readonly body?: Readonly<Record<string, unknown>>
}

/** Options of `requestLive`. */
export interface LiveOptions {
  readonly config: ClientConfig
  /** Aborting closes the connection, which cancels the nodes not yet started. */
  readonly signal?: AbortSignal
  /** Each node's result as it arrives (all at once from a server that does not stream). */
  readonly onNode?: (result: NodeResult) => void
  readonly onProgress?: (progress: LiveProgress) => void
  /** Called once the reply has begun: `streamed` says whether it is a result stream. */
  readonly onOpen?: (streamed: boolean) => void
}

/** Every node's result, and whether they came as a stream. */
export interface LiveAnswer {
  readonly results: NodeResult[]
  readonly streamed: boolean
}

/**
 * Make `call`, reading the results as the server sends them: line by line from a result
 * stream, or from the JSON:API document when the reply is not ndjson.
 */
export async function requestLive(
  request: Request,
  call: LiveCall,
  options: LiveOptions,
): Promise<LiveAnswer> {
  const { config } = options
  const origin = new URL(config.baseUrl).origin
  const response = await request.open(call.method, call.path, call.query, call.body, {
    accept: LIVE_ACCEPT,
    signal: options.signal,
  })
  const streamed = /^application\/x-ndjson\b/i.test(response.headers.get('content-type') ?? '')
  options.onOpen?.(streamed)
  if (!streamed) {
    const doc = await readJson(response, config)
    const results = parseCommandResults(doc, call.action)
    for (const result of results) options.onNode?.(result)
    return { results, streamed: false }
  }

  const results: NodeResult[] = []
  let total: number | undefined
  let finished = false
  try {
    for await (const line of lines(response.body, response.status)) {
      const value = parseLine(line, results.length + 1)
      if (value.type === 'commands') {
        const result = parseCommand(value, call.action, `line ${results.length + 1}`)
        results.push(result)
        options.onNode?.(result)
      } else if (value.type === 'summary') {
        finished = true
      } else if (Array.isArray(value.errors)) {
        const detail = (value.errors[0] as { detail?: unknown } | undefined)?.detail
        throw new ServerResponseError(
          `The power server at ${origin} failed after ${results.length} nodes (${oneLine(typeof detail === 'string' ? detail : 'no detail')}); its log says why (journalctl -u flight-power-server)`,
          { status: 500, code: 'ERR_SERVER_FAILED' },
        )
      }
      const progress = readProgress(value.meta)
      if (progress) {
        total = progress.total
        options.onProgress?.(progress)
      }
    }
  } catch (error) {
    if (error instanceof ServerResponseError) throw error
    if (error instanceof ReplyTooLargeError) throw tooLarge(error, config, origin)
    throw fetchFailure(error, config, origin)
  }
  if (!finished)
    throw new ServerResponseError(
      `The power server at ${origin} ended the result stream after ${results.length}${total === undefined ? '' : ` of ${total}`} nodes; its log says why (journalctl -u flight-power-server)`,
      { status: 200, code: 'ERR_STREAM_ENDED' },
    )
  return { results, streamed: true }
}

/** The text lines of a body, as they arrive; past MAX_REPLY_BYTES in all, ReplyTooLargeError. */
async function* lines(
  body: ReadableStream<Uint8Array> | null,
  status: number,
): AsyncGenerator<string> {
  if (!body) return
  const decoder = new TextDecoder()
  let buffer = ''
  let total = 0
  for await (const chunk of body) {
    total += chunk.byteLength
    if (total > MAX_REPLY_BYTES) throw new ReplyTooLargeError(MAX_REPLY_BYTES, status)
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + 1)
      if (line.trim() !== '') yield line
    }
  }
  buffer += decoder.decode()
  if (buffer.trim() !== '') yield buffer
}

function parseLine(line: string, index: number): Record<string, unknown> & { type?: unknown } {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    value = undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ServerResponseError(
      `The power server sent a result stream this client does not understand: line ${index}: expected a JSON object; check that base_url points at flight-power-server`,
      { status: 200, code: 'ERR_BAD_REPLY' },
    )
  return value as Record<string, unknown>
}

/** The progress counts of a line's `meta`, when it has them. */
function readProgress(meta: unknown): LiveProgress | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined
  const m = meta as Record<string, unknown>
  const count = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? value : undefined
  const done = count(m.done)
  const total = count(m.total)
  if (done === undefined || total === undefined) return undefined
  return {
    done,
    total,
    failed: count(m.failed) ?? 0,
    waitingForRate: count(m['waiting-for-rate']) ?? 0,
  }
}
