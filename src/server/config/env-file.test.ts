import { describe, expect, test } from 'bun:test'
import { parseEnvFile } from './env-file.ts'

const values = (text: string) =>
  Object.fromEntries(parseEnvFile(text).assignments.map((a) => [a.key, a.value]))

describe('parseEnvFile', () => {
  test('reads power-server 1.0 config lines', () => {
    expect(
      values(
        "jwt_shared_secret='s3cr3t value'\ntopology_config=/opt/flight/etc/power-server/topology.yaml\n",
      ),
    ).toEqual({
      jwt_shared_secret: 's3cr3t value',
      topology_config: '/opt/flight/etc/power-server/topology.yaml',
    })
  })

  test('skips comments and blank lines, trims keys, tolerates export', () => {
    expect(values('# a comment\n; another\n\n  port = 7000  \nexport log_level=debug\n')).toEqual({
      port: '7000',
      log_level: 'debug',
    })
  })

  test('single quotes are literal, double quotes take escapes', () => {
    expect(values(`a='x\\y $HOME "q"'\nb="x\\"y\\\\z \\$HOME \\n"\n`)).toEqual({
      a: 'x\\y $HOME "q"',
      b: 'x"y\\z $HOME \\n',
    })
  })

  test('quotes only start a value; adjacent quoted parts join', () => {
    expect(values(`a=it's\nb='one' "two"\nc=x "y"\n`)).toEqual({
      a: "it's",
      b: 'onetwo',
      c: 'x "y"',
    })
  })

  test('unquoted values drop trailing whitespace, keep inner, and continue over backslash-newline', () => {
    expect(values('a=one two   \nb=first\\\nsecond\nc=x\\ \n')).toEqual({
      a: 'one two',
      b: 'firstsecond',
      c: 'x ',
    })
  })

  test('a quoted value may span lines', () => {
    expect(values(`a='line1\nline2'\nb=2`)).toEqual({ a: 'line1\nline2', b: '2' })
  })

  test('later assignments win and lines are recorded', () => {
    const parsed = parseEnvFile('a=1\n\na=2\n')
    expect(parsed.assignments).toEqual([
      { key: 'a', value: '1', line: 1 },
      { key: 'a', value: '2', line: 3 },
    ])
  })

  test('lines without "=" and invalid names are skipped with a warning', () => {
    const parsed = parseEnvFile('just words\n1abc=2\nok=yes')
    expect(parsed.assignments.map((a) => a.key)).toEqual(['ok'])
    expect(parsed.warnings).toEqual([
      'line 1: no "=": ignored',
      'line 2: not a valid variable name before "=": ignored',
    ])
  })

  test('warnings about skipped lines never quote them: they may hold the secret', () => {
    const parsed = parseEnvFile(
      "jwt_shared_secret 'SECRET-one'\njwt_shared_secret: 'SECRET-two=='\nport=1\n",
    )
    expect(parsed.assignments.map((a) => a.key)).toEqual(['port'])
    expect(parsed.warnings).toEqual([
      'line 1: no "=": ignored',
      'line 2: not a valid variable name before "=": ignored',
    ])
    expect(parsed.warnings.join('\n')).not.toContain('SECRET')
  })

  test('empty values and CRLF files', () => {
    expect(values('a=\r\nb=2\r\nc=""\r\n')).toEqual({ a: '', b: '2', c: '' })
  })
})
