/**
 * `npm start`: build the binary and serve a demo cluster of sixteen pretend nodes from `.demo/`,
 * with no root, no hardware and no cloud account. Ctrl-C stops it; running it again keeps the
 * secret and the nodes' power states. In another terminal:
 *   ./dist/flight-power status @all --config .demo/client.yaml
 */
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { parseDocument } from 'yaml'

const root = resolve(import.meta.dir, '..')
const demo = join(root, '.demo')
const binary = join(root, 'dist/flight-power')
const PREFERRED_PORT = 6302
/** Nodes that start powered off on a fresh demo, so `status` shows both states. */
const INITIALLY_OFF = ['demo05', 'demo06', 'demo11', 'demo12']

process.stdout.write(await run([process.execPath, 'scripts/build.ts'], 'build the binary'))

const fresh = !existsSync(join(demo, 'state'))
mkdirSync(join(demo, 'state'), { recursive: true, mode: 0o700 })
if (fresh) for (const node of INITIALLY_OFF) writeFileSync(join(demo, 'state', node), 'off\n')

// Rewritten on every start, so changes under etc/demo/ show up; the state and secret are kept.
copyFileSync(join(root, 'etc/demo/fake-bmc'), join(demo, 'fake-bmc'))
const topology = parseDocument(readFileSync(join(root, 'etc/demo/topology.yaml'), 'utf8'))
topology.setIn(['platforms', 'demo', 'defaults', 'state_dir'], join(demo, 'state'))
topology.setIn(['platforms', 'demo', 'defaults', 'fake_bmc'], join(demo, 'fake-bmc'))
writeFileSync(join(demo, 'topology.yaml'), topology.toString())

const serverConfig = join(demo, 'power-server.conf')
writeFileSync(
  serverConfig,
  [
    '# The demo server (written by npm start; the secret is kept across starts)',
    `jwt_shared_secret='${existingSecret(serverConfig) ?? randomBytes(32).toString('hex')}'`,
    `topology_config=${join(demo, 'topology.yaml')}`,
    `working_directory=${demo}`,
    '',
  ].join('\n'),
  { mode: 0o600 },
)

const port = (await isFree(PREFERRED_PORT)) ? PREFERRED_PORT : await anyFreePort()
const token = (
  await run([binary, 'token', '--config', serverConfig, '--subject', 'demo'], 'mint a token')
).trim()
const clientConfig = join(demo, 'client.yaml')
writeFileSync(
  clientConfig,
  `# The demo client (written by npm start)\nbase_url: http://127.0.0.1:${port}\njwt_token: ${token}\n`,
  { mode: 0o600 },
)

console.log(`
Demo cluster: 16 nodes, demo[01-16] (groups @rack1, @rack2), served on http://127.0.0.1:${port}
${port === PREFERRED_PORT ? '' : `(port ${PREFERRED_PORT} is busy; .demo/client.yaml points at ${port})\n`}demo07 is slow (~3 s), demo08's OS ignores shutdown and demo13 always fails, on purpose.
In another terminal:

  ./dist/flight-power status @all --config .demo/client.yaml
  ./dist/flight-power on 'demo[05-06]' --config .demo/client.yaml
  ./dist/flight-power cycle @rack1 --config .demo/client.yaml
  ./dist/flight-power shutdown 'demo[01,08]' --force-after 5 --config .demo/client.yaml
  ./dist/flight-power identify demo03 --config .demo/client.yaml
  ./dist/flight-power bootdev pxe demo04 --persistent --uefi --config .demo/client.yaml

The fake BMC keeps each node's light and boot device in .demo/state/<node>.identify|.bootdev.

Topology: .demo/topology.yaml (from etc/demo/). Ctrl-C stops the server.
`)

const server = Bun.spawn(
  [binary, 'serve', '--config', serverConfig, '--port', String(port), '--bind', '127.0.0.1'],
  {
    cwd: demo,
    stdio: ['ignore', 'inherit', 'inherit'],
  },
)
// Ctrl-C reaches the server too (same terminal process group); stay alive until it has stopped.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal))
process.exitCode = await server.exited

/** Run a command to completion; its stdout, or exit with its output when it fails. */
async function run(command: string[], what: string): Promise<string> {
  const child = Bun.spawn(command, { cwd: root, stdout: 'pipe', stderr: 'inherit' })
  const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited])
  if (code !== 0) {
    console.error(`${stdout}\nnpm start: cannot ${what} (exit ${code})`)
    process.exit(1)
  }
  return stdout
}

function existingSecret(path: string): string | undefined {
  if (!existsSync(path)) return undefined
  return /^jwt_shared_secret='([0-9a-f]{64})'$/m.exec(readFileSync(path, 'utf8'))?.[1]
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
    probe.once('error', () => done(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)))
  })
}

function anyFreePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer()
    probe.once('error', fail)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
