import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DEFAULT_CONFIG_PATH,
  DEFAULT_TOPOLOGY_PATH,
  graceWarning,
  loadServerConfig,
  requireSecret,
} from './config.ts'
import { ServerConfigError } from './errors.ts'

const dir = mkdtempSync(join(tmpdir(), 'flight-power-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let count = 0
function file(text: string): string {
  const path = join(dir, `conf${++count}`)
  writeFileSync(path, text)
  return path
}
const secret32 = 'x'.repeat(32)

describe('loadServerConfig', () => {
  test('defaults when the default file is absent and the environment is empty', async () => {
    const config = await loadServerConfig({ configFile: file(''), env: {} })
    expect(config).toMatchObject({
      topologyPath: DEFAULT_TOPOLOGY_PATH,
      port: 6302,
      bindAddress: '0.0.0.0',
      workers: 50,
      logLevel: 'info',
      shutdownGraceSeconds: 30,
      maxTargets: 10_000,
      idleTimeoutSeconds: 60,
      workingDirectory: undefined,
      warnings: [],
    })
    expect(config.secret.length).toBe(0)
  })

  test('reads a power-server 1.0 file; the environment overrides it; flags override both', async () => {
    const path = file(
      `jwt_shared_secret='${secret32}'\ntopology_config=/etc/t.yaml\nport=7000\nlog_level=warn\n`,
    )
    const config = await loadServerConfig({
      configFile: path,
      env: { port: '7001', log_level: 'debug', unrelated: 'x' },
      overrides: { port: '0', bind_address: '127.0.0.1' },
    })
    expect(config).toMatchObject({
      configFile: path,
      topologyPath: '/etc/t.yaml',
      port: 0,
      bindAddress: '127.0.0.1',
      logLevel: 'debug',
    })
    expect(new TextDecoder().decode(config.secret)).toBe(secret32)
  })

  test('other keys are passed to scripts, not warned about; FLIGHT_POWER_* keys are ignored', async () => {
    const path = file(
      "# c\nport=6302\nIPMI_PASSWORD='bmc pass'\nnum_workers=5\nFLIGHT_POWER_TOKEN=x\nnum_workers=6\n",
    )
    const config = await loadServerConfig({ configFile: path, env: {} })
    expect(config.scriptVariables).toEqual({ IPMI_PASSWORD: 'bmc pass', num_workers: '6' })
    expect(config.warnings).toEqual([`${path}: line 5: unknown key "FLIGHT_POWER_TOKEN": ignored`])
  })

  test("power-server 1.0's scripts_dir is the working directory unless working_directory is set", async () => {
    const legacy = await loadServerConfig({ configFile: file('scripts_dir=/opt/s\n'), env: {} })
    expect(legacy).toMatchObject({ workingDirectory: '/opt/s', workingDirectoryKey: 'scripts_dir' })
    expect(legacy.scriptVariables).toEqual({})
    const both = await loadServerConfig({
      configFile: file('scripts_dir=/opt/s\nworking_directory=/srv/w\n'),
      env: {},
    })
    expect(both).toMatchObject({
      workingDirectory: '/srv/w',
      workingDirectoryKey: 'working_directory',
    })
    const neither = await loadServerConfig({ configFile: file(''), env: {} })
    expect(neither).toMatchObject({ workingDirectory: undefined, workingDirectoryKey: undefined })
  })

  test('a bad value names where it came from: the flag, the environment, or the file and line', async () => {
    const path = file('# c\nport=70000\n')
    const message = (sources: Parameters<typeof loadServerConfig>[0]) =>
      loadServerConfig(sources).then(
        () => 'loaded',
        (error: Error) => error.message,
      )
    expect(await message({ configFile: path, env: {}, overrides: { port: '99999' } })).toBe(
      'Invalid --port "99999": expected a whole number from 0 to 65535',
    )
    expect(await message({ configFile: path, env: {}, overrides: { bind_address: ' ' } })).toBe(
      'Invalid --bind "": expected an address such as 0.0.0.0',
    )
    expect(await message({ configFile: path, env: { port: 'http' } })).toBe(
      'Invalid port "http" in the environment: expected a whole number from 0 to 65535',
    )
    expect(await message({ configFile: path, env: {} })).toBe(
      `Invalid port "70000" in "${path}" line 2: expected a whole number from 0 to 65535`,
    )
  })

  test('a named file that does not exist is an error; the default one is optional', async () => {
    await expect(loadServerConfig({ configFile: join(dir, 'nope'), env: {} })).rejects.toThrow(
      `Cannot read server config "${join(dir, 'nope')}": no such file`,
    )
  })

  test.each([
    ['port', '70000', 'Invalid port "70000"'],
    ['port', 'http', 'Invalid port "http"'],
    ['num_worker_commands', '0', 'Invalid num_worker_commands "0"'],
    ['log_level', 'loud', 'Invalid log_level "loud"'],
    ['shutdown_grace_seconds', '-1', 'Invalid shutdown_grace_seconds "-1"'],
  ])('%s=%s is refused', async (key, value, message) => {
    const error = await loadServerConfig({ configFile: file(`${key}=${value}\n`), env: {} }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ServerConfigError)
    expect((error as ServerConfigError).message).toContain(message)
    expect((error as ServerConfigError).exitCode).toBe(2)
  })
})

describe('requireSecret', () => {
  const withSecret = (secret: string) =>
    loadServerConfig({ configFile: file(`jwt_shared_secret='${secret}'\n`), env: {} })

  test('a missing secret says to run init', async () => {
    const config = await loadServerConfig({ configFile: file(''), env: {} })
    expect(() => requireSecret(config)).toThrow(
      /No jwt_shared_secret in .*: run "flight-power init"/,
    )
  })

  test('no secret and no config file names the file that is missing', () => {
    const config = {
      secret: new Uint8Array(),
      configFile: undefined,
      configPath: DEFAULT_CONFIG_PATH,
    }
    expect(() => requireSecret(config)).toThrow(
      'No jwt_shared_secret: "/opt/flight/etc/power-server.conf" does not exist; run "flight-power init" (or pass --config FILE)',
    )
  })

  test('under 32 bytes refuses, 32 is fine', async () => {
    const short = await withSecret('x'.repeat(31))
    expect(() => requireSecret(short)).toThrow(/too short: 31 bytes, at least 32 needed/)
    expect(requireSecret(await withSecret(secret32))).toEqual(new TextEncoder().encode(secret32))
  })
})

describe('graceWarning', () => {
  test("warns above 40 s, that the unit's TimeoutStopSec must be raised", () => {
    expect(graceWarning({ shutdownGraceSeconds: 40 })).toBeUndefined()
    expect(graceWarning({ shutdownGraceSeconds: 41 })).toContain('TimeoutStopSec')
    expect(graceWarning({ shutdownGraceSeconds: 120 })).toContain(
      'systemctl edit flight-power-server',
    )
  })
})
