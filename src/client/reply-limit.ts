import type { ClientConfig } from './config.ts'
import { ServerResponseError } from './errors.ts'
import { FlightPowerError } from '../topology/index.ts'

/** Most bytes of one reply the client reads: 10,000 nodes' results take about 3 MiB. */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024

/** A reply body went past the cap; the caller turns it into a sentence naming the server. */
export class ReplyTooLargeError extends FlightPowerError {
  static override code = 'ERR_REPLY_TOO_LARGE'
  readonly limit: number
  /** The HTTP status of the reply that was cut off. */
  readonly status: number
  constructor(limit: number, status: number) {
    super(`Reply larger than ${limit} bytes`)
    this.limit = limit
    this.status = status
  }
}

/**
 * A response body as text, read as a stream and counted: past `limit` bytes the read stops,
 * the connection is let go and `ReplyTooLargeError` thrown, so a broken or hostile server
 * cannot make the client buffer without end.
 */
export async function readBody(response: Response, limit = MAX_REPLY_BYTES): Promise<string> {
  if (!response.body) return ''
  // A fetch body is bytes; bun-types leaves its chunks `any`.
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>
  const decoder = new TextDecoder()
  const parts: string[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      throw new ReplyTooLargeError(limit, response.status)
    }
    parts.push(decoder.decode(value, { stream: true }))
  }
  parts.push(decoder.decode())
  return parts.join('')
}

/** The sentence for a reply past the cap: exit 3, like any reply the API does not promise. */
export function tooLarge(
  error: ReplyTooLargeError,
  config: Pick<ClientConfig, 'urlSource'>,
  origin: string,
): ServerResponseError {
  return new ServerResponseError(
    `The power server at ${origin} sent a reply larger than ${error.limit / (1024 * 1024)} MiB; check that base_url (from ${config.urlSource}) points at flight-power-server, and name fewer nodes per request`,
    { status: error.status, code: error.code, cause: error },
  )
}
