import { describe, expect, test } from 'bun:test'
import {
  parseBaseUrl,
  parseConfigText,
  resolveConfig,
  userConfigPath,
  type ConfigEnvironment,
} from './config.ts'
import { CliError } from '../topology/index.ts'
import { ClientConfigError } from './errors.ts'

const SYSTEM = '/sys/config.yaml'
const USER = '/home/ann/.config/flight-power/config.yaml'

/** A fake filesystem: path → text; a thrown error stands for an unreadable file. */
function environment(
  files: Record<string, string | Error>,
  env: Record<string, string> = {},
): ConfigEnvironment {
  return {
    env: { HOME: '/home/ann', ...env },
    systemPath: SYSTEM,
    readText: async (path) => {
      const file = files[path]
      if (file instanceof Error) throw file
      return file
    },
  }
}

async function failure(promise: Promise<unknown>): Promise<ClientConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ClientConfigError)
  return error as ClientConfigError
}

describe('resolveConfig precedence', () => {
  const files = {
    [SYSTEM]: 'base_url: http://system:6302\njwt_token: system-token\n',
    [USER]: 'jwt_token: user-token\n',
  }

  test('system file, then the per-user file', async () => {
    const config = await resolveConfig({}, environment(files))
    expect(config).toMatchObject({
      baseUrl: 'http://system:6302',
      token: 'user-token',
      urlSource: `"${SYSTEM}"`,
      tokenSource: `"${USER}"`,
    })
    expect(config.timeoutMs).toBe(300_000)
  })

  test('then FLIGHT_POWER_URL and FLIGHT_POWER_TOKEN', async () => {
    const env = { FLIGHT_POWER_URL: 'http://env:1', FLIGHT_POWER_TOKEN: 'env-token' }
    expect(await resolveConfig({}, environment(files, env))).toMatchObject({
      baseUrl: 'http://env:1',
      token: 'env-token',
      urlSource: 'FLIGHT_POWER_URL',
    })
  })

  test('then --url and --token', async () => {
    const env = { FLIGHT_POWER_URL: 'http://env:1', FLIGHT_POWER_TOKEN: 'env-token' }
    const config = await resolveConfig(
      { url: 'http://flag:2', token: 'flag-token' },
      environment(files, env),
    )
    expect(config).toMatchObject({
      baseUrl: 'http://flag:2',
      token: 'flag-token',
      urlSource: '--url',
      tokenSource: '--token',
    })
  })

  test('--config replaces both files, and FLIGHT_POWER_CONFIG does when --config is absent', async () => {
    const all = {
      ...files,
      '/a.yaml': 'base_url: http://a:1\njwt_token: a\n',
      '/b.yaml': 'base_url: http://b:1\njwt_token: b\n',
    }
    expect(
      await resolveConfig(
        { config: '/a.yaml' },
        environment(all, { FLIGHT_POWER_CONFIG: '/b.yaml' }),
      ),
    ).toMatchObject({ baseUrl: 'http://a:1', token: 'a' })
    const fromEnv = await resolveConfig({}, environment(all, { FLIGHT_POWER_CONFIG: '/b.yaml' }))
    expect(fromEnv).toMatchObject({ baseUrl: 'http://b:1', token: 'b', tokenSource: '"/b.yaml"' })
    const error = await failure(
      resolveConfig(
        { config: '/c.yaml' },
        environment({ ...all, '/c.yaml': 'base_url: http://c:1\n' }),
      ),
    )
    expect(error.message).toStartWith('No token configured')
  })

  test('an explicit config that does not exist is an error; a missing system file is not', async () => {
    const error = await failure(resolveConfig({ config: '/nope.yaml' }, environment(files)))
    expect(error.message).toBe('Cannot read client config "/nope.yaml": no such file')
    expect(error.exitCode).toBe(2)
    const config = await resolveConfig(
      {},
      environment({ [USER]: 'base_url: http://u:1\njwt_token: t\n' }),
    )
    expect(config.baseUrl).toBe('http://u:1')
  })

  test("empty values (as in power-client's reference file) count as unset", async () => {
    const config = await resolveConfig(
      {},
      environment({ ...files, [USER]: 'base_url:\njwt_token: ""\n' }),
    )
    expect(config).toMatchObject({ baseUrl: 'http://system:6302', token: 'system-token' })
  })

  test('XDG_CONFIG_HOME moves the per-user file; a relative one is ignored', () => {
    expect(userConfigPath({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe(
      '/x/flight-power/config.yaml',
    )
    expect(userConfigPath({ HOME: '/h', XDG_CONFIG_HOME: 'rel' })).toBe(
      '/h/.config/flight-power/config.yaml',
    )
  })
})

describe('resolveConfig errors', () => {
  test('no URL anywhere says where to set one', async () => {
    const error = await failure(resolveConfig({}, environment({})))
    expect(error.message).toBe(
      `No power server configured: set base_url in "${SYSTEM}" or "${USER}", set FLIGHT_POWER_URL, or pass --url`,
    )
    expect(error.code).toBe('ERR_CLIENT_CONFIG')
  })

  test('no token says who issues one', async () => {
    const error = await failure(resolveConfig({ url: 'http://h:1' }, environment({})))
    expect(error.message).toStartWith('No token configured: ask your administrator for one')
  })

  test('an unreadable system file is named only when a value is missing', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
    const complete = await resolveConfig(
      {},
      environment({ [SYSTEM]: denied, [USER]: 'base_url: http://u:1\njwt_token: t\n' }),
    )
    expect(complete.token).toBe('t')
    const error = await failure(
      resolveConfig({ url: 'http://h:1' }, environment({ [SYSTEM]: denied })),
    )
    expect(error.message).toEndWith(`("${SYSTEM}" could not be read: permission denied)`)
  })

  test('--timeout must be a positive number: a usage error of the command line (exit 2)', async () => {
    const env = environment({}, { FLIGHT_POWER_URL: 'http://h:1', FLIGHT_POWER_TOKEN: 't' })
    expect((await resolveConfig({ timeout: 5 }, env)).timeoutMs).toBe(5000)
    const error = await resolveConfig({ timeout: 'soon' }, env).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CliError)
    expect(error).toMatchObject({
      message: 'Invalid --timeout "soon": expected a positive number of seconds',
      code: 'ERR_USAGE',
      exitCode: 2,
    })
  })
})

describe('parseConfigText', () => {
  test('reads base_url and jwt_token', async () => {
    expect(await parseConfigText('base_url: http://h:6302\njwt_token: abc\n', '/f')).toEqual({
      base_url: 'http://h:6302',
      jwt_token: 'abc',
    })
    expect(await parseConfigText('', '/f')).toEqual({})
    expect(await parseConfigText('# only comments\n', '/f')).toEqual({})
  })

  test('an unknown key names the file and line', async () => {
    const error = await failure(
      parseConfigText('base_url: http://h\njwt_tokn: abc\n', '/etc/c.yaml'),
    )
    expect(error.message).toBe(
      'Cannot load client config "/etc/c.yaml": line 2: unknown key "jwt_tokn" (the keys are base_url, jwt_token and ca_file)',
    )
  })

  test('malformed YAML names the file and line', async () => {
    const error = await failure(parseConfigText('base_url: [http://h\n', '/etc/c.yaml'))
    expect(error.message).toStartWith('Cannot load client config "/etc/c.yaml": line ')
    expect(error.message).toContain('invalid YAML')
  })

  test('a non-string value or a non-mapping is refused', async () => {
    expect((await failure(parseConfigText('jwt_token: [a]\n', '/f'))).message).toBe(
      'Cannot load client config "/f": line 1: jwt_token: must be a string',
    )
    expect((await failure(parseConfigText('- a\n', '/f'))).message).toContain('found no mapping')
  })
})

describe('parseBaseUrl', () => {
  test('keeps a path prefix, drops the trailing slash', () => {
    expect(parseBaseUrl('https://gw.example.com/power/', '--url')).toBe(
      'https://gw.example.com/power',
    )
    expect(parseBaseUrl('http://head1:6302', '--url')).toBe('http://head1:6302')
    expect(parseBaseUrl('http://head1:6302/', '--url')).toBe('http://head1:6302')
  })

  test('refuses what is not an http(s) URL', () => {
    expect(() => parseBaseUrl('head1:6302', '--url')).toThrow('only http and https are supported')
    expect(() => parseBaseUrl('not a url', 'FLIGHT_POWER_URL')).toThrow(
      'Invalid base_url "not a url" from FLIGHT_POWER_URL: expected a URL like "http://head1:6302"',
    )
    expect(() => parseBaseUrl('http://h/?x=1', '--url')).toThrow('query or fragment')
  })
})
