import { describe, expect, test } from 'bun:test'
import { loggedTarget } from './logged-target.ts'

describe('loggedTarget', () => {
  test('keeps nodes and groups, redacts every other value', () => {
    expect(loggedTarget('http://h/?nodes=n%5B01-02%5D&groups=rack1&access_token=abc&x=1')).toBe(
      '/?nodes=n%5B01-02%5D&groups=rack1&access_token=[redacted]&x=[redacted]',
    )
  })

  test('a long or odd key (a token sent as a bare key) is redacted whole', () => {
    expect(loggedTarget(`http://h/nodes?${'e'.repeat(40)}&a.b=1&plain`)).toBe(
      '/nodes?[redacted]&a.b=[redacted]&plain',
    )
  })

  test('an encoded key still counts as nodes; a bad escape does not throw', () => {
    expect(loggedTarget('http://h/?%6Eodes=n1&%zz=secret')).toBe('/?%6Eodes=n1&[redacted]')
  })

  test('paths without a host, and bytes that could break the line, are kept printable', () => {
    expect(loggedTarget('/health')).toBe('/health')
    expect(loggedTarget('http://h/a"b\\c\u00e9?nodes=n"1')).toBe('/a%22b%5Cc%C3%A9?nodes=n%221')
    expect(loggedTarget('example.com:443')).toBe('/')
  })
})
