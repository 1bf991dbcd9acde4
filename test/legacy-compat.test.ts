/**
 * End-to-end compatibility with power-server 1.0 sites: its shipped topology, served unchanged,
 * whose ipmi platform runs `ipmitool -E` and so reads the BMC password from IPMI_PASSWORD in
 * the server's environment (power-server's README told sites to keep it there). A fake
 * ipmitool first on PATH records what reached it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmod, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, startServer, type TestServer } from './harness.ts'

const SECRET = 'legacy-secret-0123456789-abcdefghijklmnop'
const PASSWORD = 'bmc pa$$ w0rd;$(exit 9)'

/** A BMC in a shell script: keeps the chassis state, answers as ipmitool 1.8.19 does. */
const FAKE_IPMITOOL = `#!/usr/bin/env bash
state="$(dirname "$0")/../state"
printf '%s\\n' "$*" >> "$state/argv"
printf '%s\\n' "\${IPMI_PASSWORD-<unset>}" >> "$state/passwords"
printf '%s\\n' "$PWD" >> "$state/cwd"
env > "$state/env.$$"
case "$*" in
  *"chassis power status"*) echo "Chassis Power is $(cat "$state/chassis" 2>/dev/null || echo off)" ;;
  *"chassis power on"*) echo on > "$state/chassis"; echo "Chassis Power Control: Up/On" ;;
  *"chassis power off"*) echo off > "$state/chassis"; echo "Chassis Power Control: Down/Off" ;;
  *"chassis power reset"*) echo "Chassis Power Control: Reset" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`

interface Site {
  server: TestServer
  state: string
  scriptsDir: string
}

/** Serve the power-server 1.0 topology, unchanged, with the fake ipmitool first on PATH. */
async function legacySite(options: {
  config?: Record<string, string>
  env?: Record<string, string>
}): Promise<Site> {
  const root = await mkdtemp(join(tmpdir(), 'flight-power-legacy-'))
  const state = join(root, 'state')
  const scriptsDir = join(root, 'scripts')
  await Promise.all([mkdir(state), mkdir(scriptsDir), mkdir(join(root, 'bin'))])
  await Bun.write(join(root, 'bin/ipmitool'), FAKE_IPMITOOL)
  await chmod(join(root, 'bin/ipmitool'), 0o755)
  const server = await startServer({
    topology: await readFile(
      join(repoRoot, 'test/fixtures/power-server-1.0-topology.yaml'),
      'utf8',
    ),
    config: {
      jwt_shared_secret: SECRET,
      scripts_dir: scriptsDir,
      log_level: 'debug',
      ...options.config,
    },
    env: {
      PATH: `${join(root, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      SITE_SETTING: 'from the server environment',
      FLIGHT_POWER_TOKEN: 'a client token, not for scripts',
      ...options.env,
    },
  })
  return { server, state, scriptsDir }
}

async function act(site: Site, method: string, node = 'node03') {
  const response = await fetch(`${site.server.url}/?nodes=${node}`, {
    method,
    headers: { Authorization: `Bearer ${site.server.powerToken}` },
  })
  expect(response.status).toBe(200)
  const body = (await response.json()) as { data: { attributes: Record<string, unknown> }[] }
  return body.data[0]!.attributes
}

/** Every environment the fake ipmitool saw, as text. */
async function environments(state: string): Promise<string[]> {
  const files = (await readdir(state)).filter((name) => name.startsWith('env.'))
  return Promise.all(files.map((name) => readFile(join(state, name), 'utf8')))
}

/** Everything power-server 1.0's ipmi platform does, checked from the BMC's side. */
async function exercise(site: Site): Promise<void> {
  expect(await act(site, 'GET')).toMatchObject({ success: true, state: 'off', 'exit-code': 111 })
  expect(await act(site, 'PATCH')).toMatchObject({ success: true, 'exit-code': 0 })
  expect(await act(site, 'GET')).toMatchObject({ success: true, state: 'on', 'exit-code': 0 })
  expect(await act(site, 'PUT')).toMatchObject({ success: true })
  expect(await act(site, 'DELETE')).toMatchObject({ success: true })
  expect(await act(site, 'GET')).toMatchObject({ state: 'off' })

  const argv = (await readFile(join(site.state, 'argv'), 'utf8')).trim().split('\n')
  expect(argv).toEqual(
    ['status', 'on', 'status', 'reset', 'off', 'status'].map(
      (verb) => `-H node03-bmc -U admin -E chassis power ${verb} -I lanplus`,
    ),
  )
  // The password reached ipmitool through -E, never on a command line.
  const passwords = (await readFile(join(site.state, 'passwords'), 'utf8')).trim().split('\n')
  expect(passwords).toEqual(argv.map(() => PASSWORD))
  for (const line of argv) expect(line).not.toContain('pa$$')

  const seen = await environments(site.state)
  expect(seen.length).toBe(argv.length)
  for (const env of seen) {
    expect(env).toContain('\nSITE_SETTING=from the server environment\n')
    // Never the JWT secret, under its name or any other; never a server key or client variable.
    expect(env).not.toContain(SECRET)
    expect(env).not.toMatch(/^jwt_shared_secret=/im)
    expect(env).not.toMatch(/^(scripts_dir|topology_config|log_level)=/m)
    expect(env).not.toMatch(/^FLIGHT_POWER_/m)
  }
  // power-server's script did `cd scripts_dir` first.
  const cwd = (await readFile(join(site.state, 'cwd'), 'utf8')).trim().split('\n')
  expect(new Set(cwd)).toEqual(new Set([site.scriptsDir]))
  expect(site.server.logs()).not.toContain(PASSWORD)
  expect(site.server.logs()).not.toMatch(/^error:/m)
}

describe('power-server 1.0 ipmi platform, served unchanged', () => {
  describe('started by hand: IPMI_PASSWORD in power-server.conf', () => {
    let site: Site
    beforeAll(async () => {
      site = await legacySite({ config: { IPMI_PASSWORD: PASSWORD } })
    })
    afterAll(async () => {
      expect(await site.server.stop()).toBe(0)
    })

    test('every action works; the password reaches ipmitool, the secret no script', async () => {
      await exercise(site)
    })

    test('the config file key is logged by name as passed to scripts, not as unknown', () => {
      expect(site.server.logs()).toContain(
        `debug: ${site.server.configFile}: "IPMI_PASSWORD" is passed to platform scripts as an environment variable`,
      )
      expect(site.server.logs()).not.toContain('unknown key')
    })
  })

  describe('under systemd: the config file is the environment (EnvironmentFile=)', () => {
    let site: Site
    beforeAll(async () => {
      site = await legacySite({
        env: { jwt_shared_secret: SECRET, IPMI_PASSWORD: PASSWORD, log_level: 'info' },
      })
    })
    afterAll(async () => {
      expect(await site.server.stop()).toBe(0)
    })

    test('every action works; the password reaches ipmitool, the secret no script', async () => {
      await exercise(site)
    })
  })
})
