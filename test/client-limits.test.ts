/**
 * End-to-end: the client against replies no real server sends (issue 10, point 10): 700,000
 * results must print, not overflow the stack; an endless reply must stop at the read cap with
 * one sentence and exit 3, not fill memory.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { runCli } from './harness.ts'

const RESULTS = 700_000
let fake: ReturnType<typeof Bun.serve>
let url: string
/** What the endless reply has produced so far; it stops at 96 MiB so no client can hang on it. */
let endlessBytes = 0
const ENDLESS_LIMIT = 96 << 20

beforeAll(() => {
  fake = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    fetch(request) {
      const path = new URL(request.url).pathname
      if (path === '/many/') return new Response(manyResults(RESULTS))
      if (path === '/endless/') return new Response(endless())
      return new Response('no', { status: 404 })
    },
  })
  url = `http://127.0.0.1:${fake.port}`
})
afterAll(async () => {
  await fake?.stop(true)
})

/** A status reply of `count` nodes, power-server 1.0's attributes only (about 40 MB). */
function manyResults(count: number): string {
  const parts: string[] = []
  for (let i = 1; i <= count; i++) {
    const name = `n${String(i).padStart(6, '0')}`
    parts.push(`{"id":"${name}","attributes":{"missing":false,"success":true,"running":true}}`)
  }
  return `{"data":[${parts.join(',')}]}`
}

/** 1 MiB chunks of spaces, produced only as the client reads (pull), up to 96 MiB. */
function endless(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1 << 20).fill(0x20)
  return new ReadableStream({
    pull(controller) {
      if (endlessBytes >= ENDLESS_LIMIT) return controller.close()
      endlessBytes += chunk.length
      controller.enqueue(chunk)
    },
  })
}

test('a status reply of 700,000 nodes prints every row', async () => {
  const result = await runCli(
    // A group or a misbehaving server can answer with more nodes than the client may name.
    ['status', 'n000001', '--url', `${url}/many/`, '--token', 'x'],
    { timeoutMs: 120_000 },
  )
  expect(result.stderr).not.toContain('Maximum call stack')
  expect(result.code).toBe(0)
  const lines = result.stdout.split('\n').filter((line) => line !== '')
  expect(lines).toHaveLength(RESULTS)
  expect(lines[0]).toBe('n000001  On')
  expect(lines.at(-1)).toBe('n700000  On')
}, 180_000)

test('a reply larger than 64 MiB is cut off with one sentence and exit 3', async () => {
  const result = await runCli(
    ['status', 'n1', '--url', `${url}/endless/`, '--token', 'x', '--timeout', '60'],
    { timeoutMs: 120_000 },
  )
  expect(result.stdout).toBe('')
  expect(result.stderr).toBe(
    `flight-power: The power server at ${url} sent a reply larger than 64 MiB; check that base_url (from --url) points at flight-power-server, and name fewer nodes per request\n`,
  )
  expect(result.code).toBe(3)
  // Read as a stream and counted: the client hung up before the whole body was produced.
  expect(endlessBytes).toBeGreaterThanOrEqual(64 << 20)
  expect(endlessBytes).toBeLessThan(ENDLESS_LIMIT)
}, 180_000)
