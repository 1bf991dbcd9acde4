/**
 * End-to-end: `token`, `init` and the systemd unit, with the built binary.
 */
import { describe, expect, test } from 'bun:test'
import { decodeJwt, jwtVerify } from 'jose'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { existsSync } from 'node:fs'
import { DEFAULT_CONFIG_PATH, loadServerConfig } from '../src/server/index.ts'
import { buildBinary, repoRoot, runCli } from './harness.ts'

/** `systemd-analyze verify FILE`: its complaints about the unit, and its exit code. */
async function verifyUnit(path: string): Promise<{ complaints: string[]; code: number }> {
  const analyze = Bun.which('systemd-analyze')
  expect(analyze, 'systemd-analyze is needed: apt-get install systemd').not.toBeNull()
  const run = Bun.spawn([analyze!, 'verify', path], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '' },
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ])
  const complaints = `${stdout}${stderr}`
    .split('\n')
    .filter((line) => line.includes('flight-power-server.service'))
  return { complaints, code }
}

async function initPrefix() {
  const prefix = await mkdtemp(join(tmpdir(), 'flight-power-init-'))
  const result = await runCli(['init', '--prefix', prefix])
  const paths = {
    config: join(prefix, 'opt/flight/etc/power-server.conf'),
    topology: join(prefix, 'opt/flight/etc/power-server/topology.yaml'),
    client: join(prefix, 'opt/flight/opt/power-client/etc/config.yaml'),
    unit: join(prefix, 'etc/systemd/system/flight-power-server.service'),
  }
  return { prefix, result, paths }
}

describe('init', () => {
  test('writes the server config (0600, random secret), default topology and client config', async () => {
    const { result, paths } = await initPrefix()
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`wrote ${paths.config} (mode 0600`)
    expect(result.stdout).toContain(`wrote ${paths.topology} (mode 0600`)
    expect(result.stdout).toContain(`wrote ${paths.client} (mode 0600`)
    expect((await stat(paths.config)).mode & 0o777).toBe(0o600)
    expect((await stat(paths.topology)).mode & 0o777).toBe(0o600)
    expect((await stat(paths.client)).mode & 0o777).toBe(0o600)

    const config = await loadServerConfig({ configFile: paths.config, env: {} })
    expect(config.topologyPath).toBe(paths.topology)
    expect(new TextDecoder().decode(config.secret)).toMatch(/^[A-Za-z0-9_-]{64}$/) // 48 bytes, base64url

    const client = await readFile(paths.client, 'utf8')
    expect(client).toContain('base_url: http://localhost:6302\n')
    const token = /jwt_token: (\S+)/.exec(client)?.[1] ?? ''
    const { payload } = await jwtVerify(token, config.secret, { algorithms: ['HS256'] })
    expect(payload).toMatchObject({ scope: 'power' })

    expect((await runCli(['check', paths.topology])).code).toBe(0)
    expect((await runCli(['check', '--config', paths.config])).stdout).toContain(
      `${paths.topology}: valid`,
    )
  })

  test('writes the systemd unit embedded in the binary, naming this binary and its config', async () => {
    const { prefix, result, paths } = await initPrefix()
    const binary = await buildBinary()
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`wrote ${paths.unit} (mode 0644, runs ${binary} serve)`)
    // Under --prefix the hints name the files written there, not the system paths.
    expect(result.stdout).toContain(
      `next: or under systemd: sudo cp ${paths.unit} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now flight-power-server\n`,
    )
    expect(result.stdout).toContain(
      `next: edit ${paths.topology}, then run the server: ${binary} serve --config ${paths.config}\n`,
    )
    // The test binary lives in a temporary folder: a unit running it would break silently.
    expect(result.stderr).toBe(
      `flight-power: warning: the unit runs ${binary}, but it is under /tmp, a temporary folder: install the binary first (sudo install -D -m 0755 ${binary} /usr/local/bin/flight-power), then delete ${paths.unit} and run "/usr/local/bin/flight-power init --prefix ${prefix}" again, or edit its ExecStart=\n`,
    )
    expect((await stat(paths.unit)).mode & 0o777).toBe(0o644)
    const unit = await readFile(paths.unit, 'utf8')
    expect(unit).toContain(`\nExecStart=${binary} serve\n`)
    expect(unit).toContain(`\nEnvironmentFile=-${paths.config}\n`)
    const shipped = await readFile(join(repoRoot, 'etc/flight-power-server.service'), 'utf8')
    expect(unit.replace(/^(ExecStart|EnvironmentFile)=.*$/gm, '')).toBe(
      shipped.replace(/^(ExecStart|EnvironmentFile)=.*$/gm, ''),
    )
    expect(await verifyUnit(paths.unit)).toEqual({ complaints: [], code: 0 })
  }, 30_000)

  test('never overwrites, and says what it skipped', async () => {
    const { prefix, paths } = await initPrefix()
    const before = await Promise.all(
      [paths.config, paths.topology, paths.client, paths.unit].map((p) => readFile(p, 'utf8')),
    )
    const again = await runCli(['init', '--prefix', prefix])
    expect(again.code).toBe(0)
    for (const path of [paths.config, paths.topology, paths.client, paths.unit])
      expect(again.stdout).toContain(`skipped ${path}: it already exists`)
    const after = await Promise.all(
      [paths.config, paths.topology, paths.client, paths.unit].map((p) => readFile(p, 'utf8')),
    )
    expect(after).toEqual(before)
  })

  test('--config puts the server config elsewhere; the client token matches the existing secret', async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'flight-power-init-'))
    const conf = join(prefix, 'elsewhere.conf')
    const secret = 'an-existing-secret-of-40-bytes-xxxxxxxxx'
    await writeFile(conf, `jwt_shared_secret="${secret}"\n`)
    const result = await runCli(['init', '--prefix', prefix, '--config', conf])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`skipped ${conf}`)
    const client = await readFile(
      join(prefix, 'opt/flight/opt/power-client/etc/config.yaml'),
      'utf8',
    )
    const token = /jwt_token: (\S+)/.exec(client)?.[1] ?? ''
    await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] })
  })
})

describe('token', () => {
  test('prints only a token with sub, scope and exp DAYS ahead (default 30)', async () => {
    const { paths } = await initPrefix()
    const config = await loadServerConfig({ configFile: paths.config, env: {} })
    const made = await runCli([
      'token',
      '7',
      '--subject',
      'slurm',
      '--scope',
      'read',
      '--config',
      paths.config,
    ])
    expect(made.code).toBe(0)
    expect(made.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const { payload, protectedHeader } = await jwtVerify(made.stdout.trim(), config.secret, {
      algorithms: ['HS256'],
    })
    expect(protectedHeader.alg).toBe('HS256')
    expect(payload).toMatchObject({ sub: 'slurm', scope: 'read' })
    expect(payload.exp! - payload.iat!).toBe(7 * 86_400)

    const fallback = decodeJwt((await runCli(['token', '--config', paths.config])).stdout.trim())
    expect(fallback.exp! - fallback.iat!).toBe(30 * 86_400)
    expect(fallback.scope).toBe('power')
  })

  test.each([['0'], ['abc'], ['3651'], ['1.5'], ['-5']])(
    'DAYS %s is a usage error (exit 2)',
    async (days) => {
      const { paths } = await initPrefix()
      const result = await runCli(['token', days, '--config', paths.config])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^flight-power: .*(DAYS|option)/)
    },
  )

  test('a bad --scope or a config without a secret is a usage error', async () => {
    const { paths } = await initPrefix()
    const scope = await runCli(['token', '--scope', 'admin', '--config', paths.config])
    expect(scope.code).toBe(2)
    expect(scope.stderr).toContain('Invalid --scope "admin": expected read or power')
    const empty = join(await mkdtemp(join(tmpdir(), 'flight-power-token-')), 'empty.conf')
    await writeFile(empty, '# nothing\n')
    const none = await runCli(['token', '--config', empty])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('No jwt_shared_secret')
  })
})

describe('etc/flight-power-server.service', () => {
  test('passes systemd-analyze verify (ExecStart pointed at the built binary)', async () => {
    const unit = await readFile(join(repoRoot, 'etc/flight-power-server.service'), 'utf8')
    expect(unit).toMatch(/^ExecStart=\/opt\/flight\/bin\/flight-power serve$/m)
    expect(unit).toContain('EnvironmentFile=-/opt/flight/etc/power-server.conf')
    expect(unit).toMatch(/^Restart=on-failure$/m)
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m)

    // verify refuses an ExecStart that does not exist, so check a copy naming the built binary.
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-unit-'))
    const copy = join(dir, 'flight-power-server.service')
    await writeFile(copy, unit.replace(/^ExecStart=\S+/m, `ExecStart=${await buildBinary()}`))
    expect(await verifyUnit(copy)).toEqual({ complaints: [], code: 0 })
  }, 30_000)
})

describe('messages that name the real cause', () => {
  test('serve --port 99999 names the flag', async () => {
    const { paths } = await initPrefix()
    const result = await runCli(['serve', '--config', paths.config, '--port', '99999'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      'Invalid --port "99999": expected a whole number from 0 to 65535',
    )
  })

  test('serve --bind 999.1.1.1 says it is not a local address', async () => {
    const { paths } = await initPrefix()
    const result = await runCli(['serve', '--config', paths.config, '--bind', '999.1.1.1'], {
      timeoutMs: 20_000,
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Cannot listen on 999.1.1.1:6302: not a local address')
    expect(result.stderr).not.toContain('ENOENT')
    expect(result.stderr).not.toContain('EINVAL')
  })

  test.skipIf(existsSync(DEFAULT_CONFIG_PATH))(
    'serve and token without a config file name the missing default file',
    async () => {
      const said = `No jwt_shared_secret: "${DEFAULT_CONFIG_PATH}" does not exist; run "flight-power init" (or pass --config FILE)`
      for (const args of [['serve', '--port', '0'], ['token']]) {
        const result = await runCli(args, { timeoutMs: 20_000 })
        expect(result.code).toBe(2)
        expect(result.stderr).toContain(said)
        expect(result.stdout).toBe('')
      }
    },
  )
})
