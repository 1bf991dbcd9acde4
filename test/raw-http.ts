/**
 * Raw HTTP/1.x over TCP for the end-to-end suites: exact request bytes (bad Host headers,
 * HTTP/1.0, CONNECT) that `fetch` would never send, and keep-alive connections held open.
 */
import { connect, type Socket } from 'node:net'

/** One response read off a raw connection. */
export interface RawResponse {
  readonly status: number
  readonly headers: string
  readonly body: string
}

/** A keep-alive connection that has had one response and is left idle. */
export interface IdleConnection {
  readonly response: RawResponse
  /** Resolves when the server closes the connection (never rejects). */
  readonly closed: Promise<void>
  destroy(): void
}

/** The server closed a connection before one whole response; `received` bytes came first. */
export class ClosedBeforeResponseError extends Error {
  readonly received: number
  constructor(data: Buffer) {
    super(`Connection closed before a whole response; got: ${data.toString()}`)
    this.received = data.length
  }
}

/** `host:port` of a harness server URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port)
}

/**
 * Send `request` (exact bytes) and read one response. The request should end the exchange
 * (`Connection: close` or HTTP/1.0); the promise rejects after `timeoutMs` (a guard, not a check).
 */
export async function exchange(
  port: number,
  request: string,
  timeoutMs = 30_000,
): Promise<RawResponse> {
  const connection = await open(port, request, timeoutMs)
  connection.destroy()
  return connection.response
}

/** Open a connection, send `request`, and resolve once one whole response has arrived. */
export function open(port: number, request: string, timeoutMs = 30_000): Promise<IdleConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(request))
    let data = Buffer.alloc(0)
    let answered = false
    let markClosed!: () => void
    const closed = new Promise<void>((done) => (markClosed = done))
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`No whole response within ${timeoutMs} ms; got: ${data.toString()}`))
    }, timeoutMs)
    const tryParse = () => {
      const end = data.indexOf('\r\n\r\n')
      if (end < 0 || answered) return
      const headers = data.subarray(0, end).toString('latin1')
      const length = Number(/^content-length:\s*(\d+)/im.exec(headers)?.[1] ?? 0)
      if (data.length < end + 4 + length) return
      answered = true
      clearTimeout(timer)
      const body = data.subarray(end + 4, end + 4 + length).toString('utf8')
      resolve({
        response: { status: Number(headers.split(' ')[1]), headers, body },
        closed,
        destroy: () => socket.destroy(),
      })
    }
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk])
      tryParse()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      markClosed()
      if (!answered) {
        clearTimeout(timer)
        reject(new ClosedBeforeResponseError(data))
      }
    })
  })
}

/** Settle `promise`, or reject after `ms` naming `what` (a guard against hanging). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer))
}
