/**
 * Operator safety end to end: `--wait` against a platform whose scripts change state after a
 * delay, and the confirmation asked before switching off many nodes at a terminal (a real
 * pseudo-terminal from script(1), skipped where it is not installed).
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'bun:test'
import {
  clearStates,
  client,
  setStates,
  stableJson,
  stateDirectory,
  stateOf,
  topology,
} from './client-fixture.ts'
import { buildBinary, startServer, type TestServer } from './harness.ts'

let server: TestServer
let stateDir: string
const CONFIRM_NODES = Array.from({ length: 12 }, (_, i) => `c${i + 1}`)

beforeAll(async () => {
  stateDir = await stateDirectory()
  const nodes: Record<string, Record<string, string | number>> = {
    slow1: { platform: 'slow', delay_ms: 1200 },
    slow2: { platform: 'slow', delay_ms: 1200 },
    never1: { platform: 'slow', delay_ms: 100_000_000 },
    bmc1: { platform: 'broken' },
  }
  for (const name of CONFIRM_NODES) nodes[name] = { platform: 'files' }
  server = await startServer({ topology: topology(stateDir, nodes, 'groups:\n  many: c[1-12]\n') })
})
afterAll(() => server?.stop())
beforeEach(() => clearStates(stateDir, ['slow1', 'slow2', 'never1', ...CONFIRM_NODES]))

test('on --wait: reports the nodes that reach "on" and those that never do (exit 1)', async () => {
  const result = await client(server, [
    'on',
    'slow[1-2]',
    'never1',
    'bmc1',
    '--wait',
    '--wait-timeout',
    '10',
  ])
  expect(result.stdout).toBe(
    [
      'bmc1    Failed to start: no answer from bmc1-bmc',
      'never1  Still off: gave up after 10s',
      'slow1   On',
      'slow2   On',
      '',
    ].join('\n'),
  )
  expect(result.stderr).toBe('')
  expect(result.code).toBe(1)
}, 30_000)

test('off --wait --json: every node reached "off" (exit 0)', async () => {
  await setStates(stateDir, { slow1: 'on 0', slow2: 'on 0' })
  const result = await client(server, ['off', 'slow[1-2]', '--wait', '--json', '--yes'])
  const node = (name: string) => ({
    name,
    platform: 'slow',
    missing: false,
    success: true,
    state: 'off',
    exitCode: 0,
    durationMs: 0,
    message: null,
    reached: true,
  })
  expect(stableJson(result.stdout)).toEqual({
    action: 'off',
    nodes: [node('slow1'), node('slow2')],
    wait: { target: 'off', timeoutSeconds: 300 },
    exitCode: 0,
  })
  expect(result.code).toBe(0)
})

test('restart --wait --summary: on again after the restart', async () => {
  const result = await client(server, ['restart', 'slow1', '--wait', '--summary'])
  expect(result).toEqual({ code: 0, stdout: 'on: slow1\n', stderr: '' })
})

/** Run the binary on a pseudo-terminal, typing `answer` at it; stdout and stderr come back merged. */
async function atTerminal(
  args: string[],
  answer: string,
): Promise<{ code: number; output: string }> {
  const binary = await buildBinary()
  const command = [binary, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ')
  const child = Bun.spawn(['script', '-qec', command, '/dev/null'], {
    stdin: new TextEncoder().encode(answer),
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: stateDir, TERM: 'dumb' },
    timeout: 30_000,
  })
  const [output, code] = await Promise.all([new Response(child.stdout).text(), child.exited])
  return { code, output: output.replaceAll('\r', '') }
}

const hasScript = Bun.which('script') !== null

test.skipIf(!hasScript)(
  'off on more than 10 nodes at a terminal asks first; "n" aborts with exit 1',
  async () => {
    await setStates(stateDir, Object.fromEntries(CONFIRM_NODES.map((name) => [name, 'on'])))
    const declined = await atTerminal(
      ['off', '@many', '--url', server.url, '--token', server.powerToken],
      'n\n',
    )
    expect(declined.output).toContain('Power off 12 nodes: c[1-12]? [y/N] ')
    expect(declined.output).toContain('Aborted: no node was touched')
    expect(declined.code).toBe(1)
    expect(await stateOf(stateDir, 'c1')).toBe('on')

    const accepted = await atTerminal(
      ['off', 'c[1-12]', '--url', server.url, '--token', server.powerToken, '--summary'],
      'y\n',
    )
    expect(accepted.output).toContain('stopping: c[1-12]')
    expect(accepted.code).toBe(0)
    expect(await stateOf(stateDir, 'c12')).toBe('off')

    const skipped = await atTerminal(
      [
        'restart',
        'c[1-12]',
        '--url',
        server.url,
        '--token',
        server.powerToken,
        '--yes',
        '--summary',
      ],
      '',
    )
    expect(skipped.output).not.toContain('[y/N]')
    expect(skipped.output).toContain('restarting: c[1-12]')
  },
)
