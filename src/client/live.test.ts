import { expect, test } from 'bun:test'
import type { ClientConfig } from './config.ts'
import { ServerResponseError } from './errors.ts'
import { createRequest } from './http.ts'
import { LIVE_ACCEPT, requestLive, type LiveProgress } from './live.ts'
import type { NodeResult } from './wire.ts'

const config: ClientConfig = {
  baseUrl: 'http://head1:6302',
  token: 'tok',
  urlSource: '--url',
  tokenSource: '--token',
  timeoutMs: 10_000,
}

const node = (name: string, success = true) => ({
  type: 'commands',
  id: name,
  attributes: { action: 'power_on', 'node-name': name, platform: 'p', missing: false, success },
})

/** A request whose server answers `body` with `type`, remembering the Accept it was sent. */
function replying(body: string, type: string) {
  const accepts: (string | undefined)[] = []
  const fetch = (async (_url: string, init?: RequestInit) => {
    accepts.push((init?.headers as Record<string, string>).accept)
    return new Response(body, { headers: { 'content-type': type } })
  }) as unknown as typeof globalThis.fetch
  return { request: createRequest(config, { fetch }), accepts }
}

const call = { action: 'power_on', method: 'PATCH', path: '/', query: { nodes: 'n[1-2]' } } as const

async function live(body: string, type: string) {
  const { request, accepts } = replying(body, type)
  const nodes: NodeResult[] = []
  const progress: LiveProgress[] = []
  const opened: boolean[] = []
  const answer = await requestLive(request, call, {
    config,
    onNode: (result) => nodes.push(result),
    onProgress: (value) => progress.push(value),
    onOpen: (streamed) => opened.push(streamed),
  })
  return { answer, nodes, progress, opened, accepts }
}

const lines = (...values: unknown[]) => values.map((value) => `${JSON.stringify(value)}\n`).join('')

test('a result stream: nodes in the order they came, progress from each meta', async () => {
  const meta = (done: number, failed: number) => ({
    done,
    total: 2,
    failed,
    'waiting-for-rate': 2 - done,
  })
  const { answer, nodes, progress, opened, accepts } = await live(
    lines(
      { type: 'progress', meta: meta(0, 0) },
      { ...node('n2', false), meta: meta(1, 1) },
      { type: 'progress', meta: meta(1, 1) },
      { ...node('n1'), meta: meta(2, 1) },
      { type: 'some-future-line' },
      { type: 'summary', meta: { total: 2, succeeded: 1, failed: 1 } },
    ),
    'application/x-ndjson; charset=utf-8',
  )
  expect(accepts).toEqual([LIVE_ACCEPT])
  expect(opened).toEqual([true])
  expect(answer.streamed).toBe(true)
  expect(nodes.map((result) => [result.name, result.success])).toEqual([
    ['n2', false],
    ['n1', true],
  ])
  expect(answer.results).toEqual(nodes)
  expect(progress.map((p) => [p.done, p.failed, p.waitingForRate])).toEqual([
    [0, 0, 2],
    [1, 1, 1],
    [1, 1, 1],
    [2, 1, 0],
  ])
})

test('a server that answers JSON (power-server 1.0): the document, every node at once', async () => {
  const { answer, nodes, opened } = await live(
    JSON.stringify({ data: [node('n1'), node('n2')] }),
    'application/json',
  )
  expect(opened).toEqual([false])
  expect(answer.streamed).toBe(false)
  expect(nodes.map((result) => result.name)).toEqual(['n1', 'n2'])
})

test('a stream that ends before its summary, or reports an error, is a server failure', async () => {
  const cut = live(lines({ ...node('n1'), meta: { done: 1, total: 2 } }), 'application/x-ndjson')
  await expect(cut).rejects.toThrow(
    'The power server at http://head1:6302 ended the result stream after 1 of 2 nodes',
  )
  const failed = live(
    lines({ errors: [{ status: '500', detail: 'Internal server error: see the server log' }] }),
    'application/x-ndjson',
  )
  await expect(failed).rejects.toThrow(
    'The power server at http://head1:6302 failed after 0 nodes (Internal server error: see the server log)',
  )
  const garbled = live('not json\n', 'application/x-ndjson')
  await expect(garbled).rejects.toBeInstanceOf(ServerResponseError)
  await expect(garbled).rejects.toThrow('line 1: expected a JSON object')
  const bad = live(lines({ type: 'commands', id: 'n1', attributes: {} }), 'application/x-ndjson')
  await expect(bad).rejects.toThrow('line 1.attributes.missing: expected true or false')
})
