/**
 * SPEC §13 points 3-5 against the real binary: HTTPS from `init --tls`, token revocation
 * without a restart, and the start-up refusals of unsafe or oversized files.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { appendFile, chmod, chown, mkdtemp, readFile, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startServer, type TestServer } from './harness.ts'
import { eventually } from './eventually.ts'

const TOPOLOGY = 'static_nodes:\n  n1: { platform: p }\nplatforms:\n  p:\n    status: exit 0\n'
const SECRET = 'k'.repeat(40)

/** The claims of a JWT, unverified: the tests read `jti` from tokens they minted. */
function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

describe('TLS (init --tls)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ topology: TOPOLOGY, init: ['--tls', '--tls-name', 'head1'] })
  })
  afterAll(async () => {
    await server?.stop()
  })

  test('serves HTTPS; status works with the CA from the client config', async () => {
    expect(server.url).toStartWith('https://127.0.0.1:')
    const client = await readFile(server.clientConfigFile, 'utf8')
    expect(client).toMatch(/^base_url: https:\/\/localhost:6302$/m)
    const ca = /^ca_file: (.+)$/m.exec(client)?.[1] ?? ''
    expect(ca).toEndWith('tls/server.crt')
    const key = await import('node:fs/promises').then((fs) =>
      fs.stat(join(server.prefix, 'opt/flight/etc/power-server/tls/server.key')),
    )
    expect(key.mode & 0o777).toBe(0o600)
    // The certificate is for localhost, not 127.0.0.1's URL form: use the name init wrote.
    const url = server.url.replace('127.0.0.1', 'localhost')
    const result = await runCli(['status', 'n1', '--config', server.clientConfigFile, '--url', url])
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/n1\s+On/)
    expect(result.code).toBe(0)
  })

  test('--ca-file and FLIGHT_POWER_CA_FILE work too; without a CA the client refuses, naming ca_file (exit 3)', async () => {
    const ca = join(server.prefix, 'opt/flight/etc/power-server/tls/server.crt')
    const url = server.url.replace('127.0.0.1', 'localhost')
    const base = ['status', 'n1', '--url', url, '--token', server.readToken]
    expect((await runCli([...base, '--ca-file', ca])).code).toBe(0)
    expect((await runCli(base, { env: { FLIGHT_POWER_CA_FILE: ca } })).code).toBe(0)
    const answered = () => server.logs().match(/GET \/\?nodes=n1 /g)?.length ?? 0
    // A request after the others, waited for in the log: one pipe, each line written before
    // its response is sent, so once its line is read every earlier request's is too.
    const mark = async (name: string) => {
      const response = await fetch(`${server.url}/health?${name}`, {
        tls: { rejectUnauthorized: false },
      })
      expect(response.status).toBe(200)
      await eventually(`the server to log the request "${name}"`, () =>
        server.logs().includes(`GET /health?${name} 200 `),
      )
    }
    await mark('before_refusal')
    const before = answered()
    const refused = await runCli(base)
    expect(refused.code).toBe(3)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain('its TLS certificate could not be verified')
    expect(refused.stderr).toContain(
      'set ca_file in the client config, FLIGHT_POWER_CA_FILE or --ca-file',
    )
    // The token was never sent to an unverified server: the request never left the handshake.
    await mark('after_refusal')
    expect(answered()).toBe(before)
  })

  test('an unreadable or non-PEM CA file is one sentence, exit 2', async () => {
    const url = server.url.replace('127.0.0.1', 'localhost')
    const base = ['status', 'n1', '--url', url, '--token', server.readToken]
    const missing = await runCli([...base, '--ca-file', '/nonexistent/ca.pem'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe(
      'flight-power: Cannot read ca_file "/nonexistent/ca.pem" (from --ca-file): no such file\n',
    )
    const notPem = await runCli([...base, '--ca-file', server.configFile])
    expect(notPem.code).toBe(2)
    expect(notPem.stderr).toContain('holds no PEM certificate')
  })

  test('SIGHUP serves a replaced certificate without a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-tls-'))
    const other = await runCli(['init', '--prefix', dir, '--tls'])
    expect(other.code).toBe(0)
    const tlsDir = join(server.prefix, 'opt/flight/etc/power-server/tls')
    const newCert = await readFile(join(dir, 'opt/flight/etc/power-server/tls/server.crt'), 'utf8')
    await writeFile(
      join(tlsDir, 'server.key'),
      await readFile(join(dir, 'opt/flight/etc/power-server/tls/server.key')),
    )
    await writeFile(join(tlsDir, 'server.crt'), newCert)
    await server.reload()
    await eventually('the certificate reload', () =>
      server.logs().includes('TLS certificate reloaded'),
    )
    const url = server.url.replace('127.0.0.1', 'localhost')
    const base = ['status', 'n1', '--url', url, '--token', server.readToken]
    expect(
      (
        await runCli([
          ...base,
          '--ca-file',
          join(dir, 'opt/flight/etc/power-server/tls/server.crt'),
        ])
      ).code,
    ).toBe(0)
    expect((await runCli([...base, '--ca-file', join(tlsDir, 'server.crt')])).code).toBe(0)
  })
})

describe('TLS start-up refusals', () => {
  async function tlsPrefix() {
    const prefix = await mkdtemp(join(tmpdir(), 'flight-power-tlsbad-'))
    expect((await runCli(['init', '--prefix', prefix, '--tls'])).code).toBe(0)
    return {
      conf: join(prefix, 'opt/flight/etc/power-server.conf'),
      cert: join(prefix, 'opt/flight/etc/power-server/tls/server.crt'),
      key: join(prefix, 'opt/flight/etc/power-server/tls/server.key'),
      prefix,
    }
  }

  test('a missing certificate file refuses to start, naming it', async () => {
    const { conf, cert } = await tlsPrefix()
    await import('node:fs/promises').then((fs) => fs.rm(cert))
    const result = await runCli(['serve', '--config', conf, '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`flight-power: Cannot read tls_cert_file "${cert}": no such file\n`)
  })

  test('a key that does not match the certificate refuses to start', async () => {
    const a = await tlsPrefix()
    const b = await tlsPrefix()
    await writeFile(a.key, await readFile(b.key))
    const result = await runCli(['serve', '--config', a.conf, '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `flight-power: Invalid tls_key_file "${a.key}": it is not the key of the certificate in tls_cert_file "${a.cert}"\n`,
    )
  })
})

describe('revocation', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ topology: TOPOLOGY })
  })
  afterAll(async () => {
    await server?.stop()
  })

  const mint = async (subject: string) => {
    const result = await runCli(['token', '--config', server.configFile, '--subject', subject])
    expect(result.code).toBe(0)
    return result.stdout.trim()
  }
  const get = (token: string) =>
    fetch(`${server.url}/nodes`, { headers: { Authorization: `Bearer ${token}` } })
  /** Poll until `token` is refused; the deadline only guards against hanging. */
  const untilRefused = async (token: string) => {
    const deadline = Date.now() + 15_000
    for (;;) {
      const response = await get(token)
      if (response.status === 401 || Date.now() > deadline) return response
      await Bun.sleep(25)
    }
  }

  test('token --revoke JTI: that token gets 401 "Token revoked" without a restart; others keep working', async () => {
    const victim = await mint('alice')
    const bystander = await mint('alice')
    const jti = claims(victim).jti as string
    expect(jti).toMatch(/^[0-9a-f]{32}$/)
    expect(claims(bystander).jti).not.toBe(jti)
    expect((await get(victim)).status).toBe(200)

    const revoked = await runCli(['token', '--config', server.configFile, '--revoke', jti])
    expect(revoked.stderr).toBe('')
    expect(revoked.code).toBe(0)
    const started = Date.now()
    const response = await untilRefused(victim)
    console.log(`revoked token refused after ${Date.now() - started} ms`)
    expect(response.status).toBe(401)
    expect(await response.text()).toContain('Token revoked')
    expect((await get(bystander)).status).toBe(200)
    expect((await get(server.powerToken)).status).toBe(200)
  })

  test('token --revoke-subject: every token of that subject issued until now', async () => {
    const old1 = await mint('bob')
    const old2 = await mint('bob')
    const result = await runCli(['token', '--config', server.configFile, '--revoke-subject', 'bob'])
    expect(result.code).toBe(0)
    expect((await untilRefused(old1)).status).toBe(401)
    expect((await get(old2)).status).toBe(401)
    expect((await get(server.readToken)).status).toBe(200)
  })

  test('an unknown or malformed jti is refused and nothing is written', async () => {
    const file = join(server.prefix, 'opt/flight/etc/power-server/revoked-tokens')
    const before = await readFile(file, 'utf8').catch(() => '')
    const unknown = await runCli([
      'token',
      '--config',
      server.configFile,
      '--revoke',
      '0123456789abcdef0123456789abcdef',
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(
      'Cannot revoke "0123456789abcdef0123456789abcdef": no such token in',
    )
    const malformed = await runCli(['token', '--config', server.configFile, '--revoke', 'x y'])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain('Invalid --revoke "x y"')
    expect(await readFile(file, 'utf8').catch(() => '')).toBe(before)
  })

  test('a malformed revocation file on reload keeps the old list and logs why', async () => {
    const victim = await mint('carol')
    await runCli(['token', '--config', server.configFile, '--revoke', claims(victim).jti as string])
    expect((await untilRefused(victim)).status).toBe(401)
    const file = join(server.prefix, 'opt/flight/etc/power-server/revoked-tokens')
    const lines = (await readFile(file, 'utf8')).split('\n').length
    await appendFile(file, 'this is not an entry\n')
    await server.reload()
    // The watcher or SIGHUP re-reads it; wait for the log line (the deadline only guards a hang).
    await eventually('the refused reload', () =>
      server.logs().includes('keeping the previous list'),
    )
    expect(server.logs()).toContain(
      `Cannot load revoked_tokens_file "${file}": line ${lines}: expected "jti ID"`,
    )
    expect(server.logs()).toContain('keeping the previous list')
    expect((await get(victim)).status).toBe(401)
    expect((await get(server.readToken)).status).toBe(200)
  })
})

describe('file refusals at start', () => {
  async function prefixWith(config: string, topology = TOPOLOGY) {
    const prefix = await mkdtemp(join(tmpdir(), 'flight-power-files-'))
    const conf = join(prefix, 'power-server.conf')
    await writeFile(join(prefix, 'topology.yaml'), topology, { mode: 0o600 })
    await writeFile(conf, `topology_config=${join(prefix, 'topology.yaml')}\n${config}`, {
      mode: 0o600,
    })
    await chmod(conf, 0o600)
    return { conf, prefix }
  }
  const serve = (conf: string) =>
    runCli(['serve', '--config', conf, '--port', '0', '--bind', '127.0.0.1'])

  test('a config holding the secret readable by others refuses, giving the chmod', async () => {
    const { conf } = await prefixWith(`jwt_shared_secret='${SECRET}'\n`)
    await chmod(conf, 0o644)
    const result = await serve(conf)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `flight-power: Refusing to start: "${conf}" holds jwt_shared_secret and is open to group or others (mode 0644): run "chmod 600 ${conf}"\n`,
    )
  })

  test('a config holding the secret owned by another user refuses, giving the chown', async () => {
    const { conf } = await prefixWith(`jwt_shared_secret='${SECRET}'\n`)
    await chown(conf, 65534, 65534)
    const result = await serve(conf)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`"${conf}" holds jwt_shared_secret but is owned by uid 65534`)
    expect(result.stderr).toMatch(/run "chown (root|0) \S+power-server\.conf"\n$/)
  })

  test('a secret under 32 bytes refuses', async () => {
    const { conf } = await prefixWith(`jwt_shared_secret='${'s'.repeat(31)}'\n`)
    const result = await serve(conf)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('too short: 31 bytes, at least 32 needed')
  })

  test('topology_config=/dev/zero and a topology over 64 MiB are refused', async () => {
    const zero = await prefixWith(`jwt_shared_secret='${SECRET}'\ntopology_config=/dev/zero\n`)
    const result = await serve(zero.conf)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      'Cannot load topology "/dev/zero": file too large (more than the 64 MiB limit)',
    )
    const big = await prefixWith(`jwt_shared_secret='${SECRET}'\n`)
    await truncate(join(big.prefix, 'topology.yaml'), 65 * 1024 * 1024)
    const sparse = await serve(big.conf)
    expect(sparse.code).toBe(2)
    expect(sparse.stderr).toContain('file too large (68157440 bytes, over the 64 MiB limit)')
  })

  test('a config file over 64 MiB is refused', async () => {
    const { conf } = await prefixWith(`jwt_shared_secret='${SECRET}'\n`)
    await truncate(conf, 65 * 1024 * 1024)
    const result = await serve(conf)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `flight-power: Cannot read server config "${conf}": file too large (68157440 bytes, over the 64 MiB limit)\n`,
    )
  })

  test('a topology readable by others that holds password-like variables warns, and starts', async () => {
    const server = await startServer({
      topology:
        'static_nodes:\n  n1: { platform: p, bmc_password: hunter2 }\nplatforms:\n  p:\n    variables: [bmc_password]\n    status: exit 0\n',
    })
    try {
      expect(server.logs()).not.toContain('readable by others') // init wrote it 0600
    } finally {
      await server.stop()
    }
    const { conf, prefix } = await prefixWith(
      `jwt_shared_secret='${SECRET}'\n`,
      'static_nodes:\n  n1: { platform: p, bmc_password: hunter2 }\nplatforms:\n  p:\n    variables: [bmc_password]\n    status: exit 0\n',
    )
    await chmod(join(prefix, 'topology.yaml'), 0o644)
    const child = Bun.spawn(
      [
        await import('./harness.ts').then((h) => h.buildBinary()),
        'serve',
        '--config',
        conf,
        '--port',
        '0',
        '--bind',
        '127.0.0.1',
      ],
      { stdout: 'pipe', stderr: 'pipe' },
    )
    let output = ''
    const decoder = new TextDecoder()
    for await (const chunk of child.stderr) {
      output += decoder.decode(chunk)
      if (output.includes('listening on')) break
    }
    child.kill('SIGTERM')
    await child.exited
    expect(output).toContain(
      `topology "${join(prefix, 'topology.yaml')}" is readable by others (mode 0644) and holds password-like variables ("bmc_password"): run "chmod 600 ${join(prefix, 'topology.yaml')}"`,
    )
    expect(output).not.toContain('hunter2')
  })

  test('a revocation file malformed at start refuses, naming file and line', async () => {
    const { conf, prefix } = await prefixWith(`jwt_shared_secret='${SECRET}'\n`)
    const file = join(prefix, 'power-server', 'revoked-tokens')
    await import('node:fs/promises').then((fs) => fs.mkdir(join(prefix, 'power-server')))
    await writeFile(file, '# revoked\njti short\n')
    const result = await serve(conf)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `flight-power: Cannot load revoked_tokens_file "${file}": line 2: expected "jti ID" (32 hex digits) or "subject NAME SECONDS"\n`,
    )
  })
})
