import { expect, test } from 'bun:test'
import type { ClientConfig } from './config.ts'
import { ServerResponseError, TokenRejectedError, UnreachableError } from './errors.ts'
import { createRequest, encodeQuery } from './http.ts'

const config: ClientConfig = {
  baseUrl: 'http://head1:6302/power',
  token: 'tok',
  urlSource: '--url',
  tokenSource: '--token',
  timeoutMs: 1000,
}

test('the query is fully encoded; undefined values are left out', () => {
  expect(encodeQuery({ nodes: 'node[01-02],@gpu', groups: undefined })).toBe(
    '?nodes=node%5B01-02%5D%2C%40gpu',
  )
  expect(encodeQuery({})).toBe('')
})

test('sends the bearer token to the prefixed path and parses the JSON reply', async () => {
  const calls: [string, RequestInit | undefined][] = []
  const fake = (async (url: string, init?: RequestInit) => {
    calls.push([url, init])
    return Response.json({ data: [] })
  }) as unknown as typeof fetch
  expect(await createRequest(config, { fetch: fake })('PATCH', '/', { nodes: 'n1' })).toEqual({
    data: [],
  })
  expect(calls[0]![0]).toBe('http://head1:6302/power/?nodes=n1')
  expect(calls[0]![1]).toMatchObject({ method: 'PATCH', headers: { authorization: 'Bearer tok' } })
})

test('maps failures to the error classes and exit codes of SPEC §8', async () => {
  const replying = (response: Response | Error) =>
    createRequest(config, {
      fetch: (async () =>
        response instanceof Error ? Promise.reject(response) : response) as unknown as typeof fetch,
    })
  const refused = Object.assign(new TypeError('Unable to connect'), { code: 'ECONNREFUSED' })
  await expect(replying(refused)('GET', '/')).rejects.toMatchObject({
    code: 'ERR_CONNECTION_REFUSED',
    exitCode: 3,
  })
  await expect(replying(refused)('GET', '/')).rejects.toBeInstanceOf(UnreachableError)
  const reset = Object.assign(new TypeError('socket closed'), { code: 'ECONNRESET' })
  await expect(replying(reset)('GET', '/')).rejects.toThrow(
    'Cannot reach the power server at http://head1:6302: ECONNRESET: socket closed; check the network and base_url (from --url)',
  )
  await expect(replying(new Response('', { status: 401 }))('GET', '/')).rejects.toBeInstanceOf(
    TokenRejectedError,
  )
  // A 403 without an error code (power-server 1.0's) refused the token; only ERR_SCOPE blames the scope.
  await expect(replying(new Response('', { status: 403 }))('GET', '/')).rejects.toMatchObject({
    code: 'ERR_TOKEN_REJECTED',
    exitCode: 4,
  })
  const scope = JSON.stringify({ errors: [{ code: 'ERR_SCOPE', detail: 'needs power' }] })
  await expect(replying(new Response(scope, { status: 403 }))('GET', '/')).rejects.toMatchObject({
    code: 'ERR_TOKEN_FORBIDDEN',
    exitCode: 4,
  })
  await expect(replying(new Response('', { status: 400 }))('GET', '/')).rejects.toMatchObject({
    code: 'ERR_TARGETS',
    exitCode: 2,
  })
  await expect(
    replying(new Response('', { status: 302, headers: { location: 'https://sso/' } }))('GET', '/'),
  ).rejects.toMatchObject({ code: 'ERR_REDIRECT' })
  await expect(replying(new Response('{', { status: 200 }))('GET', '/')).rejects.toBeInstanceOf(
    ServerResponseError,
  )
})
