import { describe, expect, test } from 'bun:test'
import { CliError } from './cli-error.ts'
import { cliPath, cliSeconds, cliText } from './cli-values.ts'

function usage(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(2)
    return (error as CliError).message
  }
  throw new Error('expected a CliError')
}

describe('cli-values', () => {
  test('cliText: text and numbers as typed; absent is undefined', () => {
    expect(cliText('eth0', '--bind')).toBe('eth0')
    expect(cliText(8080, '--port')).toBe('8080')
    expect(cliText(undefined, '--port')).toBeUndefined()
  })

  test('cliText: a bare or repeated flag is one clear sentence', () => {
    expect(usage(() => cliText(true, '--prefix'))).toBe('--prefix needs a value')
    expect(usage(() => cliText(['a', 'b'], '--revoke'))).toBe(
      '--revoke was given more than once: give it once',
    )
  })

  test('cliPath: a bare flag names no file', () => {
    expect(cliPath('/etc/x.conf', '--config')).toBe('/etc/x.conf')
    expect(cliPath(undefined, '--config')).toBeUndefined()
    expect(usage(() => cliPath(true, '--log'))).toBe('--log needs a file name')
    expect(usage(() => cliPath('', '--log'))).toBe('--log needs a file name')
  })

  test('cliSeconds: positive seconds, else the fallback when not given', () => {
    expect(cliSeconds(5, '--timeout', 30)).toBe(5)
    expect(cliSeconds('0.5', '--timeout', 30)).toBe(0.5)
    expect(cliSeconds(undefined, '--timeout', 30)).toBe(30)
    expect(cliSeconds('', '--timeout', 30)).toBe(30)
    for (const bad of ['soon', '0', '-1', 'Infinity'])
      expect(usage(() => cliSeconds(bad, '--wait-timeout', 30))).toBe(
        `Invalid --wait-timeout "${bad}": expected a positive number of seconds`,
      )
  })
})
