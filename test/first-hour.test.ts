/**
 * Issue 15, the first hour with the real binary: `init` from a build folder, `check` on the
 * mistakes a newcomer makes, and suggestions for names the topology lacks.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { decodeJwt, SignJWT } from 'jose'
import { loadServerConfig } from '../src/server/index.ts'
import { join } from 'node:path'
import { buildBinary, repoRoot, runCli, startServer, type TestServer } from './harness.ts'

const servers: TestServer[] = []
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()))
})

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flight-power-first-hour-'))
}

const PLATFORM = `    variables: [name, ipmi_username]
    power_on: 'true'
    power_off: 'true'
    restart: 'true'
    status: 'true'
`

describe('init (point 1)', () => {
  test('an installed binary writes its own path into ExecStart with no warning; the hints name the prefix', async () => {
    const binary = await buildBinary()
    const installDir = `/opt/flight-power-test-${process.pid}-${Date.now()}`
    const installed = join(installDir, 'bin/flight-power')
    await mkdir(join(installDir, 'bin'), { recursive: true })
    try {
      await copyFile(binary, installed)
      await Bun.spawn(['chmod', '0755', installed]).exited
      const prefix = await scratch()
      const run = Bun.spawn([installed, 'init', '--prefix', prefix], {
        stdout: 'pipe',
        stderr: 'pipe',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: prefix },
      })
      const [stdout, stderr, code] = await Promise.all([
        new Response(run.stdout).text(),
        new Response(run.stderr).text(),
        run.exited,
      ])
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
      const unit = join(prefix, 'etc/systemd/system/flight-power-server.service')
      expect(await readFile(unit, 'utf8')).toContain(`\nExecStart=${installed} serve\n`)
      expect(stdout).toContain(`next: or under systemd: sudo cp ${unit} /etc/systemd/system/`)
    } finally {
      await rm(installDir, { recursive: true, force: true })
    }
  }, 60_000)

  test('a binary in a temporary or build folder: init warns, naming the path and the fix', async () => {
    const prefix = await scratch()
    const binary = await buildBinary()
    const result = await runCli(['init', '--prefix', prefix])
    expect(result.code).toBe(0)
    expect(result.stderr).toStartWith(`flight-power: warning: the unit runs ${binary}, but it is `)
    expect(result.stderr).toContain('sudo install -D -m 0755 ')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    // Run again: the unit exists, nothing is written, nothing to warn about.
    const again = await runCli(['init', '--prefix', prefix])
    expect(again.stderr).toBe('')
  })
})

describe('check (point 4)', () => {
  async function check(yaml: string) {
    const dir = await scratch()
    const file = join(dir, 'topology.yaml')
    await writeFile(file, yaml)
    return { file, result: await runCli(['check', file]) }
  }

  test('a group named "all" is an error at its line', async () => {
    const { file, result } = await check(
      `static_nodes:\n  n01: { platform: p, ipmi_username: a }\n  n02: { platform: p, ipmi_username: a }\ngroups:\n  all: n01\nplatforms:\n  p:\n${PLATFORM}`,
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `${file}:5: groups.all: is built in: @all is every node, and a group of that name would replace it; choose another name\n1 error in ${file}\n`,
    )
  })

  test('a platform lacking a basic script and a misspelt node variable are warnings that name them', async () => {
    const { result } = await check(
      `static_nodes:\n  n01: { platform: p, ipmi_usernmae: admin }\n  n02: { platform: old }\nplatforms:\n  p:\n    defaults: { ipmi_username: x }\n${PLATFORM}  old:\n    variables: [name]\n    power_on: 'true'\n    status: 'true'\n  bmc:\n    driver: redfish\n    variables: [redfish_ca_file]\n    defaults: { redfish_ca_file: '' }\n`,
    )
    expect(result.code).toBe(0) // power-server 1.0 files load; a redfish platform needs no script
    const warnings = result.stdout.split('\n').filter((line) => line.startsWith('warning:'))
    expect(warnings).toEqual([
      'warning: platform "old" has no power_off, restart scripts: its nodes will fail those actions',
      'warning: n01: "ipmi_usernmae" is not a variable of platform "p": did you mean "ipmi_username"?',
    ])
  })

  test('a tab in a block script is one error at the tab', async () => {
    const { file, result } = await check(
      `static_nodes:\n  n01: { platform: p, ipmi_username: a }\nplatforms:\n  p:\n    variables: [name, ipmi_username]\n    power_on: |\n      echo on\n\techo tabbed\n      echo after\n    power_off: 'true'\n    restart: 'true'\n    status: 'true'\n`,
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `${file}:8: a tab in the indentation (column 1): YAML indents with spaces only, in block scripts too\n1 error in ${file}\n`,
    )
  })

  test('problems come in line order', async () => {
    const { file, result } = await check(
      `platforms:\n  p:\n    variables: [name]\n    power_onn: 'true'\nstatic_nodes:\n  n01: { platform: q }\ngroups:\n  all: n01\n`,
    )
    const lines = result.stderr.trim().split('\n')
    const numbers = lines
      .slice(0, -1)
      .map((line) => Number(line.slice(file.length + 1).split(':')[0]))
    expect(numbers.length).toBeGreaterThanOrEqual(3)
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
  })

  test('a near miss of a server setting in power-server.conf is a warning (check --config)', async () => {
    const dir = await scratch()
    const topology = join(dir, 'topology.yaml')
    await writeFile(topology, `static_nodes: {}\nplatforms:\n  p:\n${PLATFORM}`)
    const conf = join(dir, 'power-server.conf')
    await writeFile(conf, `topology_config=${topology}\nprot=6303\nHOST=x\nIPMI_PASSWORD=y\n`)
    const result = await runCli(['check', '--config', conf])
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n').filter((line) => line.startsWith('warning:'))).toEqual([
      `warning: ${conf}: line 2: "prot" is not a server setting: did you mean "port"? It is passed to the scripts as a variable`,
    ])
  })
})

describe('names the topology lacks (point 5)', () => {
  test('an unknown node or group gets the nearest name in its message', async () => {
    const server = await startServer({
      topology: `static_nodes:\n  demo01: { platform: p, ipmi_username: a }\n  demo02: { platform: p, ipmi_username: a }\n  gpu7: { platform: p, ipmi_username: a }\ngroups:\n  rack1: demo01\nplatforms:\n  p:\n${PLATFORM}`,
    })
    servers.push(server)
    const auth = ['--url', server.url, '--token', server.readToken]
    const result = await runCli(['status', 'demo1,gpu07,gpu8,zzz', '--json', ...auth])
    expect(result.code).toBe(1)
    const messages = (
      JSON.parse(result.stdout) as { nodes: { name: string; message: string }[] }
    ).nodes
      .filter((node) => node.message.includes('not in the topology'))
      .map((node) => node.message)
    expect(messages.sort()).toEqual([
      'node "demo1" is not in the topology: did you mean "demo01"?',
      'node "gpu07" is not in the topology: did you mean "gpu7"?',
      'node "gpu8" is not in the topology: did you mean "gpu7"?',
      'node "zzz" is not in the topology',
    ])
    const group = await runCli(['status', '@rak1', ...auth])
    expect(group.code).toBe(2)
    expect(group.stderr).toContain('Unknown group "rak1"')
    expect(group.stderr).toContain('did you mean "@rack1"?')
  }, 60_000)
})

describe('the command line (point 6)', () => {
  const COMMANDS = ['status', 'on', 'off', 'restart', 'cycle', 'shutdown', 'identify', 'bootdev']

  test('every command: --help starts with what it does, ends with exit codes; help COMMAND is the same', async () => {
    for (const command of [...COMMANDS, 'list', 'check', 'token', 'init', 'serve']) {
      const result = await runCli([command, '--help'])
      expect(result.code).toBe(0)
      expect(result.stdout).toStartWith(`flight-power ${command}: `)
      expect(result.stdout).toContain('\nExit codes:\n  0 ')
      expect(await runCli(['help', command])).toEqual(result)
    }
    for (const command of COMMANDS) {
      const result = await runCli([command, '--help'])
      // Every example quotes its brackets, as the shell needs.
      const examples = result.stdout.split('Examples:\n')[1] ?? ''
      expect(examples).toContain("'node[01-10]'")
      expect(examples).not.toMatch(/ [a-z]+\[/)
      expect(result.stdout).toContain('-y, --yes')
    }
    const all = await runCli(['help'])
    expect(all.code).toBe(0)
    expect(all.stdout).toContain('--no-color')
  }, 60_000)

  test('an unknown command names the nearest one; help of an unknown command too', async () => {
    expect(await runCli(['stat', 'node01'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'flight-power: Unknown command "stat" (did you mean "status"?): see flight-power --help\n',
    })
    const help = await runCli(['help', 'restrat'])
    expect(help.code).toBe(2)
    expect(help.stderr).toContain('(did you mean "restart"?)')
  })

  test('--yes on status, --color and --no-color, and --debug saying the error once', async () => {
    const server = await startServer({
      topology: `static_nodes:\n  n01: { platform: p, ipmi_username: a }\nplatforms:\n  p:\n${PLATFORM}`,
    })
    servers.push(server)
    const auth = ['--url', server.url, '--token', server.readToken]
    const ESC = '\u001b['
    const piped = await runCli(['status', 'n01', '-y', ...auth])
    expect(piped.code).toBe(0)
    expect(piped.stdout).not.toContain(ESC)
    expect((await runCli(['status', 'n01', '--color', ...auth])).stdout).toContain(ESC)
    // At a terminal (script(1)): coloured unless --no-color.
    const binary = await buildBinary()
    const tty = async (extra: string) => {
      const command = `${binary} status n01 ${auth.join(' ')} ${extra}`
      const run = Bun.spawn(['script', '-qec', command, '/dev/null'], {
        stdout: 'pipe',
        stderr: 'pipe',
        stdin: 'ignore',
        env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), TERM: 'xterm' },
      })
      const [stdout] = await Promise.all([new Response(run.stdout).text(), run.exited])
      return stdout
    }
    expect(await tty('')).toContain(ESC)
    const plain = await tty('--no-color')
    expect(plain).toContain('n01')
    expect(plain).not.toContain(ESC)

    const debug = await runCli([
      'status',
      'n01',
      '--url',
      'http://127.0.0.1:1',
      '--token',
      'x',
      '--debug',
    ])
    expect(debug.code).toBe(3)
    const refused = debug.stderr.split('\n').filter((line) => line.includes('Unable to connect'))
    expect(refused).toHaveLength(1) // the debug line; the message and the stack do not repeat it
  }, 60_000)
})

describe('tokens (point 8)', () => {
  test('--expires 8h and 30m; DAYS still works; the default subject is the account, USER unset', async () => {
    const prefix = await scratch()
    await runCli(['init', '--prefix', prefix])
    const conf = join(prefix, 'opt/flight/etc/power-server.conf')
    const mint = async (...args: string[]) => {
      const result = await runCli(['token', '--config', conf, ...args])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const claims = decodeJwt(result.stdout.trim())
      return { life: claims.exp! - claims.iat!, subject: claims.sub }
    }
    expect(await mint('--expires', '8h')).toEqual({ life: 8 * 3600, subject: userInfo().username })
    expect((await mint('--expires', '30m')).life).toBe(1800)
    expect((await mint('--expires', '90d')).life).toBe(90 * 86_400)
    expect((await mint('7')).life).toBe(7 * 86_400)
    for (const bad of ['8x', '0m', '1s', '3651d', 'h']) {
      const result = await runCli(['token', '--config', conf, '--expires', bad])
      expect(result.code).toBe(2)
      expect(result.stderr).toStartWith(`flight-power: Invalid --expires "${bad}": expected`)
    }
    const both = await runCli(['token', '7', '--expires', '8h', '--config', conf])
    expect(both).toEqual({
      code: 2,
      stdout: '',
      stderr: 'flight-power: Give DAYS or --expires, not both\n',
    })
  })

  test('an expired token: the advice is given once', async () => {
    const server = await startServer({
      topology: `static_nodes:\n  n01: { platform: p, ipmi_username: a }\nplatforms:\n  p:\n${PLATFORM}`,
    })
    servers.push(server)
    const { secret } = await loadServerConfig({ configFile: server.configFile, env: {} })
    const past = Math.floor(Date.now() / 1000) - 3600
    const expired = await new SignJWT({ scope: 'power' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('old')
      .setIssuedAt(past - 60)
      .setExpirationTime(past)
      .sign(secret)
    const result = await runCli(['status', 'n01', '--url', server.url, '--token', expired])
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('Token expired')
    expect(result.stderr.match(/flight-power token/g)).toHaveLength(1)
    expect(result.stderr.match(/ask/g)).toHaveLength(1)
  }, 60_000)
})

/** A minimal Flight Runway launcher: finds the command whose header names it and runs it. */
const LAUNCHER = `#!/bin/bash
root="$1"; cmd="$2"; shift 2
for file in "$root"/libexec/commands/*; do
  if [ "$(sed -n 's/^: NAME: //p' "$file" | head -n 1)" = "$cmd" ]; then
    flexec() { exec "$@"; }
    export -f flexec
    exec bash "$file" "$@"
  fi
done
echo "flight: no such command: $cmd" >&2
exit 127
`

describe('Flight Runway commands (point 9)', () => {
  test('init installs "flight power" and "flight power-server-generate-token"; they run this binary', async () => {
    const server = await startServer({
      topology: `static_nodes:\n  n01: { platform: p, ipmi_username: a }\nplatforms:\n  p:\n${PLATFORM}`,
    })
    servers.push(server)
    const launcher = join(await scratch(), 'flight')
    await writeFile(launcher, LAUNCHER, { mode: 0o755 })
    const root = join(server.prefix, 'opt/flight')
    const flight = (args: string[], env: Record<string, string> = {}) =>
      (async () => {
        const run = Bun.spawn([launcher, root, ...args], {
          stdout: 'pipe',
          stderr: 'pipe',
          env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
        })
        const [stdout, stderr, code] = await Promise.all([
          new Response(run.stdout).text(),
          new Response(run.stderr).text(),
          run.exited,
        ])
        return { stdout, stderr, code }
      })()
    for (const name of ['power', 'power-server-generate-token']) {
      const text = await readFile(join(root, 'libexec/commands', name), 'utf8')
      expect(text).toContain(`\n: NAME: ${name}\n: SYNOPSIS: `)
      expect(text).toMatch(/\n: VERSION: \d+\.\d+\.\d+\n/)
    }
    // The client config init wrote (under the prefix) holds the token; only the port differs.
    const status = await flight(['power', 'status', 'n01'], { FLIGHT_POWER_URL: server.url })
    expect(status).toEqual({ code: 0, stdout: 'n01  On\n', stderr: '' })

    const token = await flight(['power-server-generate-token', '90'])
    expect(token.stderr).toBe('')
    expect(token.code).toBe(0)
    expect(token.stdout.trim().split('\n')).toHaveLength(1)
    const claims = decodeJwt(token.stdout.trim())
    expect(claims.exp! - claims.iat!).toBe(90 * 86_400)
    const withIt = await runCli([
      'status',
      'n01',
      '--url',
      server.url,
      '--token',
      token.stdout.trim(),
    ])
    expect(withIt.code).toBe(0)
    const bad = await flight(['power-server-generate-token', 'ninety'])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toStartWith('flight-power: Invalid DAYS "ninety"')
  }, 60_000)

  test('init --runway on a client-only node writes only "flight power"', async () => {
    const prefix = await scratch()
    const result = await runCli(['init', '--runway', '--prefix', prefix])
    expect(result.code).toBe(0)
    const commands = join(prefix, 'opt/flight/libexec/commands')
    expect(result.stdout).toContain(`wrote ${join(commands, 'power')} (mode 0755`)
    expect(await Array.fromAsync(new Bun.Glob('**/*').scan({ cwd: prefix }))).toEqual([
      'opt/flight/libexec/commands/power',
    ])
    const again = await runCli(['init', '--runway', '--prefix', prefix])
    expect(again.stdout).toContain(`skipped ${join(commands, 'power')}: it already exists`)
  })
})

describe('the README (point 1)', () => {
  test('its install command names a folder on PATH, and its no-root walkthrough works as written', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8')
    expect(readme).toContain(
      'sudo install -D -m 0755 dist/flight-power /usr/local/bin/flight-power\n',
    )
    expect(readme).toContain('sudo flight-power init ')
    const blocks = [...readme.matchAll(/```\n([\s\S]*?)```/g)].map((match) => match[1]!)
    const walk = readme.slice(
      readme.indexOf('To try it without root'),
      readme.indexOf('**What a node needs.**'),
    )
    const [init, serve, status] = [...walk.matchAll(/^(\.\/dist\/flight-power [^\n]+)$/gm)].map(
      (match) => match[1]!,
    )
    expect(blocks.length).toBeGreaterThan(3)
    expect(init).toStartWith('./dist/flight-power init --prefix')
    const home = await scratch()
    const binary = await buildBinary()
    // Word for word, but for the binary's place and a free port for the server.
    const shell = (line: string, extra = '') =>
      Bun.spawn(['bash', '-c', `${line.replace('./dist/flight-power', binary)}${extra}`], {
        stdout: 'pipe',
        stderr: 'pipe',
        env: { PATH: process.env.PATH ?? '', HOME: home },
      })
    const initRun = shell(init!)
    expect(await initRun.exited).toBe(0)
    const server = shell(serve!, ' --port 0 --bind 127.0.0.1')
    try {
      const reader = server.stderr.getReader()
      let log = ''
      let url: string | undefined
      while (!url) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`serve ended: ${log}`)
        log += new TextDecoder().decode(value)
        url = /listening on (http:\/\/\S+)/.exec(log)?.[1]
      }
      const client = shell(status!, ` --url ${url}`)
      const [stdout, stderr, code] = await Promise.all([
        new Response(client.stdout).text(),
        new Response(client.stderr).text(),
        client.exited,
      ])
      expect({ code, stdout, stderr }).toEqual({
        code: 0,
        stdout: '',
        stderr: 'flight-power: no nodes matched the targets\n',
      })
    } finally {
      server.kill()
      await server.exited
    }
  }, 60_000)
})

describe('shell completion (point 7)', () => {
  /** Complete `line` as bash would at its end, with the script `completion bash` prints. */
  async function complete(line: string, env: Record<string, string>): Promise<string[]> {
    const binary = await buildBinary()
    const script = (await runCli(['completion', 'bash'])).stdout
    const dir = await scratch()
    await writeFile(join(dir, 'completion.bash'), script)
    const words = line.split(' ')
    const run = Bun.spawn(
      [
        'bash',
        '-c',
        `source "$1"; COMP_WORDS=("$2" \${@:3}); COMP_CWORD=$(( $# - 2 )); _flight_power; printf '%s\\n' "\${COMPREPLY[@]}"`,
        'bash',
        join(dir, 'completion.bash'),
        binary,
        ...words.slice(1),
      ],
      { stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } },
    )
    const [stdout] = await Promise.all([new Response(run.stdout).text(), run.exited])
    return stdout
      .split('\n')
      .filter((word) => word !== '')
      .sort()
  }

  test('commands, options, @groups and node names from the server; a silent server completes nothing', async () => {
    const server = await startServer({
      topology: `static_nodes:\n  demo01: { platform: p, ipmi_username: a }\n  demo02: { platform: p, ipmi_username: a }\n  gpu1: { platform: p, ipmi_username: a }\ngroups:\n  rack1: demo01\nplatforms:\n  p:\n${PLATFORM}`,
    })
    servers.push(server)
    const cache = await scratch()
    const env = {
      FLIGHT_POWER_URL: server.url,
      FLIGHT_POWER_TOKEN: server.readToken,
      XDG_CACHE_HOME: cache,
    }
    expect(await complete('flight-power st', env)).toEqual(['status'])
    expect(await complete('flight-power status --ca', env)).toEqual(['--ca-file', '--cached'])
    expect(await complete('flight-power off --no', env)).toEqual(['--no-color'])
    // The first ask of the server has ASK_TIMEOUT_MS (1.5 s) to answer, which a loaded machine
    // may miss; a missed ask caches nothing and completes nothing, so ask again, three times at
    // most. With no cache before, the names can only have come from the server.
    let names: string[] = []
    for (let tries = 0; names.length === 0 && tries < 3; tries++)
      names = await complete('flight-power status de', env)
    expect(names).toEqual(['demo01', 'demo02'])
    expect(await complete('flight-power on @ra', env)).toEqual(['@rack1'])
    expect(await complete('flight-power on -g ', env)).toEqual(['all', 'rack1'])
    expect(await complete('flight-power check --c', env)).toEqual(['--color', '--config'])

    // Cached: the names still come once the server is gone.
    await server.stop()
    servers.splice(servers.indexOf(server), 1)
    expect(await complete('flight-power status g', env)).toEqual(['gpu1'])

    // A server that accepts and never answers, no cache: nothing, and the shell is not held.
    const silent = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    try {
      const quiet = {
        FLIGHT_POWER_URL: `http://127.0.0.1:${silent.port}`,
        FLIGHT_POWER_TOKEN: 't',
        XDG_CACHE_HOME: await scratch(),
      }
      expect(await complete('flight-power status de', quiet)).toEqual([])
    } finally {
      silent.stop(true)
    }
  }, 60_000)

  test('completion zsh prints a script zsh accepts; another shell is refused', async () => {
    const zsh = await runCli(['completion', 'zsh'])
    expect(zsh.code).toBe(0)
    expect(zsh.stdout).toContain('bashcompinit')
    expect(zsh.stdout).toContain('complete -F _flight_power flight-power')
    expect(await runCli(['completion', 'fish'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'flight-power: Invalid shell "fish": expected bash or zsh\n',
    })
  })
})
