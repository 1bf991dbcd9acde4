import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, statSync } from 'node:fs'
import type { Runner, RunRequest, RunResult } from '../exec/index.ts'
import type { Clock } from './clock.ts'
import { createEngine } from './engine.ts'
import type { EngineLog } from './log.ts'
import { createRangedDriver } from './ranged-driver.ts'
import { parseRangedOutput } from './ranged-io.ts'
import { parseTopology, type Topology } from '../topology/index.ts'
import { fakeClock, fakeDriver, topologyOf } from './testing.ts'

const names = (count: number) =>
  Array.from({ length: count }, (_, i) => `n${String(i + 1).padStart(2, '0')}`)

/** A chunk as the ranged script saw it: its request, its nodes read back from the file. */
interface SeenChunk {
  readonly request: RunRequest
  readonly nodes: Record<string, string>[]
  readonly fileMode: number
}

/** Read an input file as bash's `while IFS= read -r -d '' entry` would. */
function readNodes(path: string): Record<string, string>[] {
  const nodes: Record<string, string>[] = []
  let node: Record<string, string> = {}
  const entries = readFileSync(path, 'utf8').split('\0')
  // The file ends with a NUL: the last split piece is the empty tail, not an entry.
  for (const entry of entries.slice(0, -1)) {
    if (entry === '') {
      nodes.push(node)
      node = {}
      continue
    }
    const at = entry.indexOf('=')
    node[entry.slice(0, at)] = entry.slice(at + 1)
  }
  return nodes
}

/** A runner that answers a chunk with `answer`, recording what each chunk was given. */
function fakeRunner(
  clock: Clock,
  answer: (chunk: SeenChunk) => Partial<RunResult> | Promise<Partial<RunResult>>,
): Runner & { chunks: SeenChunk[]; nodesRunning: number; maxNodesRunning: number } {
  const runner = {
    chunks: [] as SeenChunk[],
    nodesRunning: 0,
    maxNodesRunning: 0,
    active: 0,
    queued: 0,
    killAll: async () => {},
    async run(request: RunRequest): Promise<RunResult> {
      const file = request.env.FLIGHT_POWER_NODES!
      const chunk = { request, nodes: readNodes(file), fileMode: statSync(file).mode & 0o777 }
      runner.chunks.push(chunk)
      runner.nodesRunning += chunk.nodes.length
      runner.maxNodesRunning = Math.max(runner.maxNodesRunning, runner.nodesRunning)
      try {
        const partial = await answer(chunk)
        const base = { exitCode: 0, signal: null, timedOut: false, stdout: '', stderr: '' }
        return { ...base, durationMs: 7, ...partial }
      } finally {
        runner.nodesRunning -= chunk.nodes.length
        void clock
      }
    },
  }
  return runner
}

/** Every node of the chunk answers `code` (on for status). */
const everyNode =
  (code = 0) =>
  (chunk: SeenChunk) => ({
    stdout: chunk.nodes.map((node) => `${node.name}\t${code}\n`).join(''),
  })

function setup(
  platform: string,
  answer: (chunk: SeenChunk) => Partial<RunResult> | Promise<Partial<RunResult>>,
  options: { concurrency?: number; count?: number; topology?: Topology } = {},
) {
  const clock = fakeClock()
  const runner = fakeRunner(clock, answer)
  const fallback = fakeDriver(clock, () => ({ exitCode: 0 }))
  const logs: string[] = []
  const logger: EngineLog = {
    debug: (line) => logs.push(`debug ${line}`),
    info: (line) => logs.push(`info ${line}`),
    warn: (line) => logs.push(`warn ${line}`),
  }
  const driver = createRangedDriver({ runner, fallback, logger, clock })
  const engine = createEngine({
    runner,
    logger,
    concurrency: options.concurrency ?? 50,
    clock,
    driver,
  })
  const topology = options.topology ?? topologyOf(options.count ?? 5, platform)
  /** Run an action to its end, letting the fake clock move whenever nothing else can. */
  async function run(
    action: 'status' | 'power_on' | 'identify',
    params = {},
    targets = names(options.count ?? 5),
  ) {
    let done = false
    const results = engine.run({
      action,
      names: targets,
      topology,
      params,
    })
    void results.finally(() => (done = true))
    while (!done) {
      await clock.settle()
      await Bun.sleep(1)
    }
    return results
  }
  return { clock, runner, fallback, engine, run, logs }
}

const RANGED = `{ variables: [name, user, secret], defaults: { user: admin, secret: pw },
    power_on: x, power_off: x, restart: x, status: x, identify: x,
    ranged: { status: rs, power_on: ron, identify: rid } }`

describe('the ranged driver', () => {
  test('one process for the chunk; each node answered from its own line', async () => {
    const { runner, fallback, run } = setup(RANGED, (chunk) => ({
      stdout: `junk line\nn01\t0\nn02\t111\nn03\t1\tBMC says no\nn04\t0\nn05\t0\nn09\t1\n`,
      ...(chunk.nodes.length === 5 ? {} : { exitCode: 2 }),
    }))
    const results = await run('status')
    expect(runner.chunks.length).toBe(1)
    expect(runner.chunks[0]!.request.script).toBe('rs')
    expect(runner.chunks[0]!.nodes.map((node) => node.name)).toEqual(names(5))
    expect(fallback.steps).toEqual([])
    expect(results.map((r) => [r.name, r.state, r.success, r.message])).toEqual([
      ['n01', 'on', true, null],
      ['n02', 'off', true, null],
      ['n03', 'unknown', false, 'BMC says no'],
      ['n04', 'on', true, null],
      ['n05', 'on', true, null],
    ])
  })

  test("the nodes' variables are in a private file, read without eval; parameters in the environment", async () => {
    const hostile = `$(touch x)'"\t;\n=`
    const topology = parseTopology(`static_nodes:
  n01: { platform: p }
  odd: { platform: p, user: ${JSON.stringify(hostile)}, secret: "a=b\\tc" }
platforms:
  p: ${RANGED}
`)
    const { runner, run } = setup(RANGED, everyNode(), { topology })
    const results = await run('identify', { identify: 'off' }, ['n01', 'odd'])
    expect(results.map((result) => result.success)).toEqual([true, true])
    const [chunk] = runner.chunks
    expect(chunk!.nodes).toEqual([
      { name: 'n01', user: 'admin', secret: 'pw' },
      { name: 'odd', user: hostile, secret: 'a=b\tc' },
    ])
    expect(chunk!.fileMode).toBe(0o600)
    expect(existsSync(chunk!.request.env.FLIGHT_POWER_NODES!)).toBe(false)
    expect(chunk!.request.env).toMatchObject({
      FLIGHT_POWER_IDENTIFY: 'off',
      FLIGHT_POWER_KEY: 'identify',
      FLIGHT_POWER_TIMEOUT: '60',
    })
    // Node variables never reach the chunk's environment: they differ per node.
    expect(chunk!.request.env.secret).toBeUndefined()
  })

  test('chunks never exceed ranged_chunk, and the global limit counts nodes', async () => {
    const { clock, runner, run } = setup(
      RANGED.replace('ranged:', 'ranged_chunk: 2, ranged:'),
      async (chunk) => {
        await clock.sleep(100)
        return everyNode()(chunk)
      },
      { concurrency: 3, count: 10 },
    )
    const results = await run('status')
    expect(results.every((result) => result.state === 'on')).toBe(true)
    expect(runner.chunks.every((chunk) => chunk.nodes.length <= 2)).toBe(true)
    expect(runner.chunks.flatMap((chunk) => chunk.nodes.map((node) => node.name)).sort()).toEqual(
      names(10),
    )
    expect(runner.maxNodesRunning).toBeGreaterThan(0)
    expect(runner.maxNodesRunning).toBeLessThanOrEqual(3)
  })

  test('different action parameters never share a process', async () => {
    const { engine, runner, clock } = setup(RANGED, everyNode(), { count: 4 })
    const topology = topologyOf(4, RANGED)
    const a = engine.run({
      action: 'identify',
      names: ['n01', 'n02'],
      topology,
      params: { identify: 'on' },
    })
    const b = engine.run({
      action: 'identify',
      names: ['n03', 'n04'],
      topology,
      params: { identify: 'off' },
    })
    await clock.settle()
    await Promise.all([a, b])
    expect(
      runner.chunks
        .map((chunk) => [
          chunk.request.env.FLIGHT_POWER_IDENTIFY,
          chunk.nodes.map((node) => node.name),
        ])
        .sort(),
    ).toEqual([
      ['off', ['n03', 'n04']],
      ['on', ['n01', 'n02']],
    ])
  })

  test('a node with no line fails on its own, with stderr in the log; nothing is run again', async () => {
    const { runner, fallback, run, logs } = setup(RANGED, () => ({
      stdout: 'n01\t0\nn02\t0\nn04\t0\nn05\t0\n',
      stderr: 'lost track of n03\n',
      exitCode: 3,
    }))
    const results = await run('power_on')
    expect(runner.chunks.length).toBe(1)
    expect(fallback.steps).toEqual([])
    expect(results.filter((r) => !r.success).map((r) => [r.name, r.message])).toEqual([
      ['n03', 'no result from the ranged power_on script'],
    ])
    expect(
      logs.some((line) => line.startsWith('warn n03:') && line.includes('lost track of n03')),
    ).toBe(true)
  })

  test("exit 69 on a node's line hands that node to its per-node script", async () => {
    const { runner, fallback, run } = setup(RANGED, () => ({
      stdout: 'n01\t0\nn02\t69\nn03\t0\nn04\t69\tcannot reach\nn05\t0\n',
    }))
    const results = await run('power_on')
    expect(runner.chunks.length).toBe(1)
    expect(fallback.steps.map((step) => [step.node, step.key])).toEqual([
      ['n02', 'power_on'],
      ['n04', 'power_on'],
    ])
    expect(results.every((result) => result.success)).toBe(true)
  })

  test('exit 69 with no lines: per-node scripts for this chunk and for a minute, then ranged again', async () => {
    const { clock, runner, fallback, run, logs } = setup(RANGED, () => ({ exitCode: 69 }))
    expect((await run('status')).every((result) => result.state === 'on')).toBe(true)
    expect(runner.chunks.length).toBe(1)
    expect(fallback.steps.length).toBe(5)
    expect(logs.filter((line) => line.includes('exited 69')).length).toBe(1)

    await run('status')
    expect(runner.chunks.length).toBe(1)
    expect(fallback.steps.length).toBe(10)
    // Another key's ranged script is tried on its own.
    await run('power_on')
    expect(runner.chunks.length).toBe(2)

    const aMinute = clock.sleep(60_000)
    await clock.settle()
    await aMinute
    await run('status')
    expect(runner.chunks.length).toBe(3)
  })

  test('a chunk that times out: answered nodes keep their lines, the rest time out', async () => {
    const { run } = setup(RANGED, () => ({
      stdout: 'n01\t0\nn02\t111\n',
      timedOut: true,
      exitCode: null,
    }))
    const results = await run('status')
    expect(results.map((r) => [r.name, r.state, r.message])).toEqual([
      ['n01', 'on', null],
      ['n02', 'off', null],
      ['n03', 'unknown', 'timed out after 60s'],
      ['n04', 'unknown', 'timed out after 60s'],
      ['n05', 'unknown', 'timed out after 60s'],
    ])
  })

  test('keys without a ranged script run per node', async () => {
    const { runner, fallback, engine, clock } = setup(RANGED, everyNode())
    const run = engine.run({
      action: 'power_off',
      names: names(5),
      topology: topologyOf(5, RANGED),
    })
    await clock.settle()
    expect((await run).every((result) => result.success)).toBe(true)
    expect(runner.chunks).toEqual([])
    expect(fallback.steps.length).toBe(5)
  })
})

describe('ranged output', () => {
  test('NAME<TAB>CODE[<TAB>message]; strays, unknown names, repeats and bad codes are ignored', () => {
    const lines = parseRangedOutput(
      'a\t0\nb\t111\tis off\r\nb\t0\nc\t256\nc\t-1\nc\tx\nzz\t0\n\nplain text\nd\t1\t  spaced  \n',
      new Set(['a', 'b', 'c', 'd']),
    )
    expect(Object.fromEntries(lines)).toEqual({
      a: { exitCode: 0, message: null },
      b: { exitCode: 111, message: 'is off' },
      d: { exitCode: 1, message: 'spaced' },
    })
  })
})
