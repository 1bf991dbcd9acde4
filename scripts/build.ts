/**
 * Build the single `flight-power` executable and smoke-test it.
 * Usage: bun scripts/build.ts [--outfile dist/flight-power] [--no-smoke]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { $ } from 'zx'
import pkg from '../package.json' with { type: 'json' }

const args = process.argv.slice(2)
const outfile = args.includes('--outfile')
  ? String(args[args.indexOf('--outfile') + 1])
  : 'dist/flight-power'
const root = new URL('..', import.meta.url).pathname
$.cwd = root
$.verbose = false

const commit = (await $({ nothrow: true })`git rev-parse --short HEAD`).stdout.trim()
const version = commit ? `${pkg.version}+${commit}` : pkg.version

// --bytecode: every client command starts by parsing the whole bundle (hono, jose, zx
// included); shipping it precompiled took `--version` from 32 ms to 13 ms here. It needs ESM.
await $({ stdio: 'inherit' })`${process.execPath} build --compile --minify --sourcemap \
  --bytecode --format=esm \
  --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
  --define ${`FLIGHT_POWER_VERSION=${JSON.stringify(version)}`} \
  bin/flight-power.ts --outfile ${outfile}`

if (!args.includes('--no-smoke')) await smokeTest(resolve(root, outfile))
console.log(`built ${outfile} (flight-power ${version})`)

/** The binary must start, know its version, print help, and serve on a free port. */
async function smokeTest(binary: string): Promise<void> {
  const printed = (await $`${binary} --version`).stdout.trim()
  if (!printed.includes(version))
    throw new Error(`Smoke test failed: --version printed "${printed}"`)
  const help = (await $`${binary} --help`).stdout
  for (const command of ['serve', 'status', 'check']) {
    if (!help.includes(command))
      throw new Error(`Smoke test failed: --help does not mention "${command}"`)
  }
  await smokeServe(binary)
}

/** `init` into a temp prefix, `serve --port 0`, GET /health, SIGTERM: must exit 0. */
async function smokeServe(binary: string): Promise<void> {
  const prefix = await mkdtemp(join(tmpdir(), 'flight-power-smoke-'))
  try {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: prefix }
    await $({ env })`${binary} init --prefix ${prefix}`
    const server = Bun.spawn(
      [
        binary,
        'serve',
        '--config',
        `${prefix}/opt/flight/etc/power-server.conf`,
        '--port',
        '0',
        '--bind',
        '127.0.0.1',
      ],
      { env, stdout: 'ignore', stderr: 'pipe' },
    )
    let log = ''
    let checked = false
    const decoder = new TextDecoder()
    const timer = setTimeout(() => server.kill('SIGKILL'), 15_000)
    try {
      for await (const chunk of server.stderr) {
        log += decoder.decode(chunk, { stream: true })
        const url = /listening on (http:\/\/\S+)/.exec(log)?.[1]
        if (!url || checked) continue
        checked = true
        const health = await fetch(`${url}/health`)
        if (health.status !== 200)
          throw new Error(`Smoke test failed: GET /health answered ${health.status}`)
        // Keep reading stderr to the end: a closed pipe would fail the server's last log lines.
        server.kill('SIGTERM')
      }
      const code = await server.exited
      if (!checked) throw new Error(`Smoke test failed: serve never said it was listening:\n${log}`)
      if (code !== 0) throw new Error(`Smoke test failed: serve exited ${code}:\n${log}`)
    } finally {
      clearTimeout(timer)
    }
  } finally {
    await rm(prefix, { recursive: true, force: true })
  }
}
