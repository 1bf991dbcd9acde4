import { describe, expect, test } from 'bun:test'
import { requestTarget, safeRequest } from './request-target.ts'

describe('safeRequest', () => {
  test('a request whose URL parses is passed through as it is', () => {
    const request = new Request('http://power:6302/?nodes=n1')
    expect(safeRequest(request)).toBe(request)
  })

  test.each([
    ['http://x:99999/?nodes=n03', 'http://localhost/?nodes=n03'],
    ['/health', 'http://localhost/health'],
    ['example.com:443', 'http://localhost/'],
    ['http://[::1/health', 'http://localhost/health'],
  ])('%s is routed as %s, keeping method and headers', (url, expected) => {
    const original = { url, method: 'PATCH', headers: new Headers({ authorization: 'Bearer t' }) }
    const safe = safeRequest(
      new Proxy(new Request('http://placeholder/'), {
        get: (target, key) =>
          key in original ? original[key as keyof typeof original] : Reflect.get(target, key),
      }),
    )
    expect(safe.url).toBe(expected)
    expect(safe.method).toBe('PATCH')
    expect(safe.headers.get('authorization')).toBe('Bearer t')
  })
})

describe('requestTarget', () => {
  test.each([
    ['http://h/a?b=1', '/a?b=1'],
    ['http://h?b=1', '/?b=1'],
    ['http://h', '/'],
    ['/x', '/x'],
    ['h:443', '/'],
  ])('%s → %s', (url, target) => {
    expect(requestTarget(url)).toBe(target)
  })
})
