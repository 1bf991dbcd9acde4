/**
 * Live results and cancellation (SPEC §12, issue 13 points 1 and 2), end to end against the
 * real binary. Scripts block on gate files the test creates, so every assertion is about the
 * order of events (a line read before a gate opened, a node never started), never about time.
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { foldHostlist as fold } from '../src/topology/index.ts'
import { buildBinary, readIfExists, runCli, startServer, type TestServer } from './harness.ts'
import { eventually } from './eventually.ts'

/** `gated`: power_on records that it started, waits for its gate (or gate-all), then is on. */
const TOPOLOGY = (dir: string, names: string[]) => `
platforms:
  gated:
    variables: [name, dir]
    power_on: |-
      echo "$name" >> "$dir/started"
      while [ ! -e "$dir/gate-$name" ] && [ ! -e "$dir/gate-all" ]; do sleep 0.05; done
      echo on > "$dir/state-$name"
      echo "$name" >> "$dir/finished"
    status: |-
      [ "$(cat "$dir/state-$name" 2>/dev/null)" = on ] && exit 0 || exit 111
static_nodes:
${names.map((name) => `  ${name}: { platform: gated, dir: ${JSON.stringify(dir)} }`).join('\n')}
`

const NODES = Array.from({ length: 10 }, (_, i) => `n${String(i + 1).padStart(2, '0')}`)

let server: TestServer
let dir: string
let home: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flight-power-live-'))
  home = await mkdtemp(join(tmpdir(), 'flight-power-live-home-'))
  server = await startServer({
    topology: TOPOLOGY(dir, NODES),
    config: { num_worker_commands: '2' },
  })
})
afterAll(async () => {
  await server?.stop()
})

const runs = [] as string[]
// Whatever a test left blocked is let go, so a failure cannot hold the slots of the next.
afterEach(async () => {
  for (const run of runs.splice(0)) await writeFile(join(run, 'gate-all'), '')
})

/** A fresh directory for one test's gates and records, set as every node's `dir`. */
async function freshRun(): Promise<string> {
  const run = await mkdtemp(join(tmpdir(), 'flight-power-live-run-'))
  runs.push(run)
  await server.reload(TOPOLOGY(run, NODES))
  return run
}

/** The CLI as a child process whose stdout the test reads line by line as it comes. */
async function spawnCli(args: string[]) {
  const child = Bun.spawn([await buildBinary(), ...args], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      FLIGHT_POWER_URL: server.url,
      FLIGHT_POWER_TOKEN: server.powerToken,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  })
  const reader = child.stdout.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const stderr = new Response(child.stderr).text()
  return {
    child,
    stderr,
    /** The next whole line of stdout, or undefined at its end. */
    async line(): Promise<string | undefined> {
      for (;;) {
        const end = buffer.indexOf('\n')
        if (end >= 0) {
          const line = buffer.slice(0, end)
          buffer = buffer.slice(end + 1)
          return line
        }
        const { value, done } = await reader.read()
        if (done) return buffer === '' ? undefined : buffer
        buffer += decoder.decode(value, { stream: true })
      }
    },
  }
}

/**
 * The CLI at a real terminal: `script` (util-linux) runs it on a pseudo-terminal, so the
 * progress line is drawn and Ctrl-C is the terminal's, sent to the foreground process group.
 */
async function spawnAtTerminal(args: string[]) {
  const command = ['exec', await buildBinary(), ...args].map((word) => `'${word}'`).join(' ')
  const child = Bun.spawn(['script', '--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      SHELL: '/bin/sh',
      TERM: 'dumb',
      FLIGHT_POWER_URL: server.url,
      FLIGHT_POWER_TOKEN: server.powerToken,
    },
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  })
  let output = ''
  const decoder = new TextDecoder()
  const read = (async () => {
    for await (const chunk of child.stdout) output += decoder.decode(chunk, { stream: true })
  })()
  return {
    /** What the terminal has shown so far: stdout and stderr together. */
    output: () => output,
    ctrlC: () => void child.stdin.write('\x03'),
    /** The CLI's exit code, once the terminal's output has all been read. */
    exited: read.then(() => child.exited),
  }
}

/** How many power_on nodes the server has cancelled so far, from its own metrics. */
async function cancelledSoFar(): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${server.readToken}` },
  })
  const counted = (await response.text())
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('flight_power_actions_total{') &&
        line.includes('action="power_on"') &&
        line.includes('result="cancelled"'),
    )
  return counted.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0)
}

/**
 * Once the server's cancelled counter reaches `cancelled` (it has seen the client go), let
 * every gated script of `run` go; the action's audit line, the next after `audits`.
 */
async function letGoOnceCancelled(run: string, cancelled: number, audits: number) {
  await until(`${cancelled} nodes cancelled`, async () => (await cancelledSoFar()) === cancelled)
  await writeFile(join(run, 'gate-all'), '')
  return nextAudit(audits)
}

/** Lines of a record file the scripts append to. */
async function recorded(run: string, file: 'started' | 'finished'): Promise<string[]> {
  return (await readIfExists(join(run, file))).split('\n').filter(Boolean)
}

/** Poll until `probe` holds: a guard against hanging, with a generous deadline. */
const until = (what: string, probe: () => Promise<boolean>) =>
  eventually(what, probe, { timeoutMs: 60_000 })

/** The power_on audit lines the server has written so far. */
function powerOnAudits(): string[] {
  return server
    .logs()
    .split('\n')
    .filter((line) => line.includes(' audit ') && line.includes(' action=power_on '))
}

/** The next power_on audit line after the `before` already written. */
async function nextAudit(before: number): Promise<string> {
  await until('the audit line is written', async () => powerOnAudits().length > before)
  expect(powerOnAudits()).toHaveLength(before + 1)
  return powerOnAudits()[before]!
}

test('--stream prints a line as soon as a node finishes, before the action ends', async () => {
  const run = await freshRun()
  await writeFile(join(run, 'gate-n01'), '')
  const cli = await spawnCli(['on', 'n[01-02]', '--stream'])
  expect(await cli.line()).toBe('n01  Starting')
  // n02 is still held by its gate: the first line came before the action ended.
  expect(await recorded(run, 'finished')).toEqual(['n01'])
  expect(cli.child.exitCode).toBeNull()
  await writeFile(join(run, 'gate-n02'), '')
  expect(await cli.line()).toBe('n02  Starting')
  expect(await cli.line()).toBeUndefined()
  expect(await cli.child.exited).toBe(0)
  expect(await cli.stderr).toBe('')
})

test('Ctrl-C half-way: started nodes finish and the rest are cancelled, all audited; exit 130', async () => {
  const run = await freshRun()
  const audits = powerOnAudits().length
  const cancelledBefore = await cancelledSoFar()
  const cli = await spawnCli(['on', '@all', '--stream'])
  // Two slots: two nodes start. Let the first finish; the freed slot starts a third.
  await until('two nodes started', async () => (await recorded(run, 'started')).length === 2)
  const [first, second] = await recorded(run, 'started')
  await writeFile(join(run, `gate-${first}`), '')
  expect(await cli.line()).toBe(`${first}  Starting`)
  await until('a third node started', async () => (await recorded(run, 'started')).length === 3)
  const third = (await recorded(run, 'started'))[2]!

  cli.child.kill('SIGINT')
  expect(await cli.child.exited).toBe(130)
  expect(await cli.stderr).toBe(
    'flight-power: Interrupted: 1 of 10 nodes had finished; those already started will finish on the server, the others will not be started\n',
  )
  expect(await cli.line()).toBeUndefined()

  // The client is gone; once the server has seen that, the two running scripts are let go.
  const audit = await letGoOnceCancelled(run, cancelledBefore + 7, audits)
  const started = [first!, second!, third]
  const cancelled = NODES.filter((name) => !started.includes(name))
  expect(await recorded(run, 'started')).toEqual(started)
  expect((await recorded(run, 'finished')).sort()).toEqual([...started].sort())
  expect(audit).toContain('action=power_on targets=n[01-10] succeeded=3 failed=7 missing=0')
  expect(audit).toContain(`cancelled=7 cancelled_nodes=${fold(cancelled)}`)

  // The server is healthy and answers the next request.
  expect((await fetch(`${server.url}/health`)).status).toBe(200)
  const status = await runCli(['status', '@all', '--url', server.url, '--token', server.readToken])
  expect(status.code).toBe(111)
  const on = status.stdout.split('\n').filter((line) => line.endsWith('  On'))
  expect(on.map((line) => line.split(' ')[0]).sort()).toEqual([...started].sort())
})

test('Ctrl-C at a terminal without --stream: the progress line, then the same cancellation', async () => {
  const run = await freshRun()
  const audits = powerOnAudits().length
  const cancelledBefore = await cancelledSoFar()
  const terminal = await spawnAtTerminal(['on', '@all'])
  await until('two nodes started', async () => (await recorded(run, 'started')).length === 2)
  // The progress line shows the total only once the client has read the stream's first line.
  await until('the progress line', async () => terminal.output().includes('Powering on @all: 0/10'))
  terminal.ctrlC()
  expect(await terminal.exited).toBe(130)
  expect(terminal.output()).toContain(
    'flight-power: Interrupted: 0 of 10 nodes had finished; those already started will finish on the server, the others will not be started',
  )
  const audit = await letGoOnceCancelled(run, cancelledBefore + 8, audits)
  expect(audit).toContain('succeeded=2 failed=8')
  expect(audit).toContain('cancelled=8')
  expect(await recorded(run, 'started')).toHaveLength(2)
})

test('a dropped JSON:API request (no ndjson asked) cancels the nodes not started too', async () => {
  const run = await freshRun()
  const audits = powerOnAudits().length
  const cancelledBefore = await cancelledSoFar()
  const client = new AbortController()
  const answered = fetch(`${server.url}/?nodes=n[01-10]`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${server.powerToken}` },
    signal: client.signal,
  }).catch((error: unknown) => error)
  await until('two nodes started', async () => (await recorded(run, 'started')).length === 2)
  client.abort()
  expect(await answered).toBeInstanceOf(Error)
  const audit = await letGoOnceCancelled(run, cancelledBefore + 8, audits)
  expect(audit).toContain('succeeded=2 failed=8')
  expect(audit).toContain('cancelled=8')
  expect(await recorded(run, 'started')).toHaveLength(2)
})

test('the ndjson stream on the wire: node lines with progress, then the summary', async () => {
  const run = await freshRun()
  await writeFile(join(run, 'gate-all'), '')
  const response = await fetch(`${server.url}/?nodes=n[01-03],ghost`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${server.powerToken}`, accept: 'application/x-ndjson' },
  })
  expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8')
  const lines = (await response.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((line) => line.type !== 'progress')
  expect(
    lines
      .slice(0, 4)
      .map((line) => line.id)
      .sort(),
  ).toEqual(['ghost', 'n01', 'n02', 'n03'])
  expect(lines.slice(0, 4).map((line) => line.meta.done)).toEqual([1, 2, 3, 4])
  expect(lines.find((line) => line.id === 'ghost').attributes).toMatchObject({
    action: 'power_on',
    missing: true,
    success: false,
  })
  expect(lines[4]).toEqual({
    type: 'summary',
    meta: { action: 'power_on', total: 4, succeeded: 3, failed: 1, missing: 1, cancelled: 0 },
  })
  expect(lines).toHaveLength(5)
  expect(await readFile(join(run, 'finished'), 'utf8')).toHaveLength(12)
})

test('--stream with --json, --summary or --wait: one sentence, exit 2', async () => {
  for (const other of ['--json', '--summary', '--wait']) {
    const result = await runCli(['on', 'n01', '--stream', other])
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `flight-power: --stream and ${other} cannot be used together: choose one\n`,
    })
  }
})
