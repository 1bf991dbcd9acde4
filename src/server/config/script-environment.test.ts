import { describe, expect, test } from 'bun:test'
import { CONFIG_KEYS } from './config.ts'
import { scriptEnvironment } from './script-environment.ts'

const SECRET = 's'.repeat(40)
const config = (scriptVariables: Record<string, string> = {}, secret = SECRET) => ({
  scriptVariables,
  secret: new TextEncoder().encode(secret),
})

describe('scriptEnvironment', () => {
  test('passes the server environment, as power-server 1.0 did', () => {
    const { env } = scriptEnvironment(
      { PATH: '/usr/bin', HOME: '/root', IPMI_PASSWORD: 'bmc-pass', AWS_PROFILE: 'ops' },
      config(),
    )
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      IPMI_PASSWORD: 'bmc-pass',
      AWS_PROFILE: 'ops',
    })
  })

  test('never passes a server config key, in any case, nor FLIGHT_POWER_* variables', () => {
    const processEnv: Record<string, string> = { PATH: '/bin' }
    for (const key of CONFIG_KEYS) {
      processEnv[key] = `value of ${key}`
      processEnv[key.toUpperCase()] = `upper value of ${key}`
    }
    processEnv.FLIGHT_POWER_TOKEN = 'a client token'
    processEnv.flight_power_url = 'http://x'
    const { env } = scriptEnvironment(processEnv, config())
    expect(env).toEqual({ PATH: '/bin' })
    expect(CONFIG_KEYS).toContain('jwt_shared_secret')
    expect(CONFIG_KEYS).toContain('scripts_dir')
  })

  test('adds the config file keys; the environment wins; names from the file are reported', () => {
    const result = scriptEnvironment(
      { PATH: '/bin', SITE: 'from-env' },
      config({ IPMI_PASSWORD: 'from-file', SITE: 'from-file' }),
    )
    expect(result.env).toEqual({ PATH: '/bin', SITE: 'from-env', IPMI_PASSWORD: 'from-file' })
    expect(result.fromConfigFile).toEqual(['IPMI_PASSWORD'])
    expect(result.withheld).toEqual([])
  })

  test('withholds any variable, from either source, whose value is the secret', () => {
    const result = scriptEnvironment(
      { PATH: '/bin', JWT: SECRET, jwt_shared_secret: SECRET },
      config({ COPY: SECRET, OK: 'fine' }),
    )
    expect(result.env).toEqual({ PATH: '/bin', OK: 'fine' })
    expect(result.withheld).toEqual(['COPY', 'JWT'])
    expect(JSON.stringify(result)).not.toContain(SECRET)
  })

  test('withholds a variable whose value contains the secret anywhere in it', () => {
    const result = scriptEnvironment(
      { KEYED: `key=${SECRET}`, WRAPPED: `a${SECRET}b`, PART: SECRET.slice(1) },
      config({ URL: `https://u:${SECRET}@host/` }),
    )
    expect(result.env).toEqual({ PART: SECRET.slice(1) })
    expect(result.withheld).toEqual(['URL', 'KEYED', 'WRAPPED'])
    expect(JSON.stringify(result.env)).not.toContain(SECRET)
  })

  test('an empty secret withholds nothing (empty values pass)', () => {
    expect(scriptEnvironment({ EMPTY: '' }, config({}, '')).env).toEqual({ EMPTY: '' })
  })

  test('undefined entries (as process.env may hold) are skipped', () => {
    expect(scriptEnvironment({ GONE: undefined, A: 'a' }, config()).env).toEqual({ A: 'a' })
  })
})
