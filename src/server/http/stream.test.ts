import { expect, test } from 'bun:test'
import { createEngine, systemClock } from '../../engine/index.ts'
import { fakeDriver, topologyOf } from '../../engine/testing.ts'
import type { Runner } from '../../exec/index.ts'
import { createLogger } from '../logger.ts'
import { createApp } from './app.ts'
import { signToken } from './auth.ts'
import { NDJSON, wantsStream } from './stream.ts'

const SECRET = new TextEncoder().encode('s'.repeat(40))
const NOW = new Date('2030-01-01T00:00:00Z')
const NO_RUNNER = {} as Runner

/** A promise and its resolver, to hold a fake step until the test lets it go. */
function latch() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/** An app over `count` nodes n01… whose power_on waits for the node's latch, if it has one. */
function setup(count: number, options: { concurrency?: number } = {}) {
  const latches = new Map<string, ReturnType<typeof latch>>()
  const started: string[] = []
  const driver = fakeDriver(systemClock, async (step) => {
    started.push(step.node.name)
    await latches.get(step.node.name)?.opened
    return { exitCode: step.node.name === 'n02' ? 1 : 0 }
  })
  const lines: string[] = []
  const logger = createLogger({ level: 'info', write: (line) => lines.push(line) })
  const engine = createEngine({
    runner: NO_RUNNER,
    logger,
    concurrency: options.concurrency ?? 10,
    driver,
  })
  const app = createApp({
    getTopology: () => topologyOf(count, '{ power_on: on, status: st }'),
    engine,
    secret: SECRET,
    clock: () => NOW,
    logger,
  })
  return { app, latches, started, lines }
}

async function power(accept?: string, signal?: AbortSignal) {
  const token = await signToken(SECRET, {
    days: 1,
    subject: 'alice',
    scope: 'power',
    now: NOW,
    tokenId: '0123456789abcdef0123456789abcdef',
  })
  return new Request('http://localhost/?nodes=n[01-04],ghost', {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) },
    signal,
  })
}

/** Read one line at a time from an ndjson body. */
function lineReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const next = async function next(): Promise<any> {
    for (;;) {
      const end = buffer.indexOf('\n')
      if (end >= 0) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 1)
        return JSON.parse(line)
      }
      const { value, done } = await reader.read()
      if (done) return undefined
      buffer += decoder.decode(value, { stream: true })
    }
  }
  return Object.assign(next, { cancel: () => reader.cancel() })
}

test('Accept decides: ndjson only when asked for and not ranked below JSON', () => {
  expect(wantsStream(undefined)).toBe(false)
  expect(wantsStream('*/*')).toBe(false)
  expect(wantsStream('application/json')).toBe(false)
  expect(wantsStream('application/x-ndjson')).toBe(true)
  expect(wantsStream('application/x-ndjson, application/json;q=0.5')).toBe(true)
  expect(wantsStream('application/json, application/x-ndjson;q=0.5')).toBe(false)
  expect(wantsStream('application/x-ndjson;q=0')).toBe(false)
  expect(wantsStream('Application/X-NDJSON ; q=0.9')).toBe(true)
})

test('each node is one line as soon as it finishes, the same resource as the document, then a summary', async () => {
  const { app, latches, lines } = setup(4)
  latches.set('n04', latch())
  const response = await app.request(await power(NDJSON))
  expect(response.headers.get('content-type')).toBe(`${NDJSON}; charset=utf-8`)
  const next = lineReader(response.body!)
  expect(await next()).toEqual({
    type: 'progress',
    meta: { done: 0, total: 5, failed: 0, 'waiting-for-rate': 0 },
  })
  const seen: any[] = []
  // n04 is held: the four other lines arrive before it is let go.
  for (let i = 0; i < 4; i++) seen.push(await next())
  expect(seen.map((line) => line.id).sort()).toEqual(['ghost', 'n01', 'n02', 'n03'])
  expect(lines.some((line) => line.includes('audit'))).toBe(false)
  latches.get('n04')!.open()
  const last = await next()
  expect(last.id).toBe('n04')
  expect(last.meta).toEqual({ done: 5, total: 5, failed: 2, 'waiting-for-rate': 0 })
  expect(seen.map((line) => line.meta.done)).toEqual([1, 2, 3, 4])
  expect(await next()).toEqual({
    type: 'summary',
    meta: { action: 'power_on', total: 5, succeeded: 3, failed: 2, missing: 1, cancelled: 0 },
  })
  expect(await next()).toBeUndefined()
  expect(lines.filter((line) => line.includes('audit'))).toHaveLength(1)

  // The same nodes as a JSON:API document: the same attributes, bar when each started.
  const plain = setup(4)
  const doc: any = await (await plain.app.request(await power())).json()
  const byId = new Map([...seen, last].map((line) => [line.id, line]))
  const timeless = (attributes: any) => ({ ...attributes, 'started-at': undefined })
  expect(doc.data).toHaveLength(5)
  for (const resource of doc.data) {
    const line = byId.get(resource.id)
    expect({ type: line.type, id: line.id, attributes: timeless(line.attributes) }).toEqual({
      ...resource,
      attributes: timeless(resource.attributes),
    })
  }
})

test('a client gone from the stream cancels the nodes not started; the running ones finish, all audited', async () => {
  const { app, latches, started, lines } = setup(4, { concurrency: 2 })
  for (const name of ['n01', 'n02', 'n03', 'n04']) latches.set(name, latch())
  const client = new AbortController()
  const response = await app.request(await power(NDJSON, client.signal))
  const next = lineReader(response.body!)
  expect((await next()).type).toBe('progress')
  const ghost = await next()
  expect(ghost.id).toBe('ghost')
  expect(started).toEqual(['n01', 'n02'])
  await next.cancel()
  for (const held of latches.values()) held.open()
  const audit = await waitFor(() => lines.find((line) => line.includes('audit')))
  expect(started).toEqual(['n01', 'n02'])
  expect(audit).toContain('succeeded=1 failed=3 missing=1')
  expect(audit).toEndWith('cancelled=2 cancelled_nodes=n[03-04]')
})

test('the request line of a stream is written at its end, after the audit, with the whole time', async () => {
  const { app, latches, lines } = setup(4)
  latches.set('n04', latch())
  const response = await app.request(await power(NDJSON))
  const next = lineReader(response.body!)
  for (let i = 0; i < 5; i++) await next()
  const requestLines = () => lines.filter((line) => line.startsWith('info: PATCH /?nodes='))
  // Headers and four nodes are out, n04 is held: no request line yet.
  expect(requestLines()).toEqual([])
  await Bun.sleep(50)
  latches.get('n04')!.open()
  while ((await next()) !== undefined);
  expect(requestLines()).toHaveLength(1)
  expect(requestLines()[0]).toMatch(
    /^info: PATCH \/\?nodes=n\[01-04\],ghost 200 (\d+)ms subject="alice"$/,
  )
  expect(Number(/ (\d+)ms /.exec(requestLines()[0]!)![1])).toBeGreaterThanOrEqual(50)
  const audit = lines.findIndex((line) => line.includes(' audit '))
  expect(audit).toBeGreaterThanOrEqual(0)
  expect(lines.indexOf(requestLines()[0]!)).toBeGreaterThan(audit)
})

test('a stream the client leaves is logged once, when it leaves', async () => {
  const { app, latches, lines } = setup(4, { concurrency: 2 })
  for (const name of ['n01', 'n02', 'n03', 'n04']) latches.set(name, latch())
  const response = await app.request(await power(NDJSON))
  const next = lineReader(response.body!)
  await next()
  await next.cancel()
  const requestLines = () => lines.filter((line) => line.startsWith('info: PATCH /?nodes='))
  expect(requestLines()).toHaveLength(1)
  for (const held of latches.values()) held.open()
  await waitFor(() => lines.find((line) => line.includes(' audit ')))
  expect(requestLines()).toHaveLength(1)
})

test('a client gone from a plain JSON:API request cancels the same way', async () => {
  const { app, latches, started, lines } = setup(4, { concurrency: 2 })
  for (const name of ['n01', 'n02']) latches.set(name, latch())
  const client = new AbortController()
  const answered = app.request(await power(undefined, client.signal))
  await waitFor(() => (started.length === 2 ? true : undefined))
  client.abort()
  for (const held of latches.values()) held.open()
  const doc: any = await (await answered).json()
  expect(started).toEqual(['n01', 'n02'])
  const cancelled = doc.data.filter((r: any) => r.attributes.message?.startsWith('cancelled'))
  expect(cancelled.map((r: any) => r.id)).toEqual(['n03', 'n04'])
  expect(lines.find((line) => line.includes('audit'))).toEndWith(
    'cancelled=2 cancelled_nodes=n[03-04]',
  )
})

test('nothing cancelled: the audit line is the engine’s, unchanged', async () => {
  const { app, lines } = setup(4)
  await (await app.request(await power())).json()
  expect(lines.find((line) => line.includes('audit'))).not.toContain('cancelled')
})

/** Poll `probe` until it gives a value; a guard against hanging, not a timing assertion. */
async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const value = probe()
    if (value !== undefined) return value
    await Bun.sleep(5)
  }
  throw new Error('Timed out')
}
