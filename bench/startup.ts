/**
 * Start-up costs: topology load for 10,000 and 100,000 nodes (a cold process each time, as a
 * server start or `flight-power check` pays it) beside the same loader on the `yaml` library
 * alone (as it was before its fast subset reader), the `yaml` library's bare parse and Bun's
 * native YAML parser; hostlist expand and fold of 100,000 names beside Slurm's own
 * (`scontrol show hostnames|hostlistsorted`); the client's cold start (`--version`, one
 * `status`) beside curl, with a bare compiled Bun binary as the floor. Run with
 * `bun bench/startup.ts` (`--quick` for 10,000 nodes only); it asserts nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expandHostlist, foldHostlist } from '../src/topology/index.ts'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { timeCommand } from './lib/proc.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { buildBinary, clientEnv, startBenchServer } from './lib/server.ts'
import { formatKb, formatMs, median, printTable, ratio } from './lib/stats.ts'
import { benchTopology, siteTopology } from './lib/topology.ts'

const SIZES = quickMode() ? [10_000] : [10_000, 100_000]
/** A cold load slower than this is reported as timed out rather than waited for. */
const LOAD_TIMEOUT_MS = 45_000
const NAMES = 100_000
const dir = mkdtempSync(join(tmpdir(), 'flight-power-bench-startup-'))
const parseFile = join(import.meta.dir, 'lib/parse-file.ts')

console.log('# Start-up: topology load, hostlist expand/fold, client cold start')
console.log(`machine: ${describeMachine()}; load average at start: ${loadAverage()}\n`)

interface Load {
  ms: number
  hwmKb: number
  timedOut: boolean
}

/** One cold load in a fresh `bun` process (bench/lib/parse-file.ts). */
async function coldLoad(mode: 'load' | 'load-yaml' | 'yaml' | 'bun', file: string): Promise<Load> {
  const run = await timeCommand([process.execPath, parseFile, mode, file], {
    timeoutMs: LOAD_TIMEOUT_MS,
  })
  if (run.code === 137) return { ms: Number.POSITIVE_INFINITY, hwmKb: Number.NaN, timedOut: true }
  if (run.code !== 0) throw new Error(`parse-file ${mode} failed (exit ${run.code}): ${run.stderr}`)
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
    ms: number
    hwmKb: number
  }
  return { ms: result.ms, hwmKb: result.hwmKb, timedOut: false }
}

function showLoad(loads: readonly Load[]): string {
  if (loads.some((load) => load.timedOut)) return `> ${formatMs(LOAD_TIMEOUT_MS)} (killed)`
  return formatMs(median(loads.map((load) => load.ms)))
}

// --- 1. Topology load -------------------------------------------------------------------
// `load` is the loader as shipped (its own subset reader when the file keeps to the plain YAML
// topologies are written in); `load, yaml path` is the same loader told to use the `yaml`
// library only, as it did before: the baseline, in the same run, alternating with it.
const binary = await buildBinary()
const loadRows = [
  [
    'topology',
    'rounds',
    'flight-power load',
    'peak RSS',
    'load, yaml path (before)',
    'peak RSS',
    'flight-power check',
    'yaml.parse',
    'Bun.YAML.parse',
    'load/before',
  ],
]
for (const size of SIZES) {
  const file = join(dir, `topology-${size}.yaml`)
  writeFileSync(file, siteTopology(size))
  const rounds = 3
  const load: Load[] = []
  const before: Load[] = []
  const yaml: Load[] = []
  const native: Load[] = []
  const check: number[] = []
  for (let round = 0; round < rounds; round++) {
    load.push(await coldLoad('load', file))
    before.push(await coldLoad('load-yaml', file))
    yaml.push(await coldLoad('yaml', file))
    native.push(await coldLoad('bun', file))
    // `check` is the same load through the real binary, cold; skipped once the loader timed out.
    if (!load.some((l) => l.timedOut)) {
      const run = await timeCommand([binary, 'check', file], { timeoutMs: LOAD_TIMEOUT_MS })
      check.push(run.code === 0 ? run.ms : Number.POSITIVE_INFINITY)
    }
  }
  const l = median(load.map((x) => x.ms))
  const b = median(before.map((x) => x.ms))
  const n = median(native.map((x) => x.ms))
  const c = check.length > 0 ? median(check) : Number.NaN
  const peak = median(load.map((x) => x.hwmKb))
  const peakBefore = median(before.map((x) => x.hwmKb))
  const runs = (loads: readonly Load[]) => loads.map((x) => formatMs(x.ms)).join(', ')
  loadRows.push([
    `${size.toLocaleString('en-US')} nodes (${(readFileSync(file).length / 1048576).toFixed(1)} MiB)`,
    String(rounds),
    showLoad(load),
    formatKb(peak),
    showLoad(before),
    formatKb(peakBefore),
    check.length > 0 ? formatMs(c) : 'skipped',
    showLoad(yaml),
    showLoad(native),
    ratio(l, b),
  ])
  console.log(`${size} nodes: load runs ${runs(load)}; yaml-path runs ${runs(before)}`)
  recordRow({
    section: 'Start-up',
    what: `topology load, ${size.toLocaleString('en-US')} IPMI nodes (cold process)`,
    value: `${showLoad(load)}${Number.isFinite(peak) ? `, peak ${formatKb(peak)}` : ''}`,
    baseline: `yaml-library path (before) ${showLoad(before)}, peak ${formatKb(peakBefore)}; yaml.parse ${showLoad(yaml)}; Bun.YAML.parse ${showLoad(native)}`,
    ratio: `${ratio(l, b)} before; ${ratio(l, n)} Bun.YAML`,
    note: `median of ${rounds}; check ${check.length > 0 ? formatMs(c) : 'skipped'}; timeout ${formatMs(LOAD_TIMEOUT_MS)}`,
  })
}
printTable(loadRows)
console.log(
  'load = flight-power loadTopology (read, parse, validate, build) in a fresh process; yaml path = the same with the subset reader off (the loader before); check = `flight-power check FILE` wall time\n',
)

// --- 2. Hostlist expand and fold ----------------------------------------------------------
// Slurm caps one bracket range at 65,536 hosts and reads at most 1 MiB of names from a file,
// so the expression is two ranges and the names are short (n1…n100000).
const expression = `n[1-${NAMES / 2}],n[${NAMES / 2 + 1}-${NAMES}]`
const names = expandHostlist(expression)
const shuffled = shuffle([...names])
// Every seventh name missing: 85,715 names folding into 14,286 ranges.
const gappy = shuffle(names.filter((_, i) => i % 7 !== 6))
function shuffle(list: string[]): string[] {
  let seed = 42
  for (let i = list.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    const j = seed % (i + 1)
    ;[list[i], list[j]] = [list[j] as string, list[i] as string]
  }
  return list
}
function timeIt(fn: () => unknown, rounds = 5): number {
  fn()
  fn()
  const times: number[] = []
  for (let round = 0; round < rounds; round++) {
    const started = performance.now()
    fn()
    times.push(performance.now() - started)
  }
  return median(times)
}
const slurmConf = join(dir, 'slurm.conf')
writeFileSync(
  slurmConf,
  'ClusterName=bench\nSlurmctldHost=localhost\nNodeName=n1\nPartitionName=p Nodes=n1\n',
)
const shuffledFile = join(dir, 'shuffled.txt')
writeFileSync(shuffledFile, `${shuffled.join('\n')}\n`)
const gappyFile = join(dir, 'gappy.txt')
writeFileSync(gappyFile, `${gappy.join('\n')}\n`)
const hasSlurm = Bun.which('scontrol') !== null
async function scontrol(args: string[], expectLines?: number): Promise<number> {
  if (!hasSlurm) return Number.NaN
  const times: number[] = []
  for (let round = 0; round < 5; round++) {
    const run = await timeCommand(['scontrol', 'show', ...args], {
      env: { PATH: process.env.PATH ?? '', SLURM_CONF: slurmConf },
    })
    if (run.code !== 0) return Number.NaN
    if (expectLines !== undefined && run.stdout.trim().split('\n').length !== expectLines)
      return Number.NaN
    times.push(run.ms)
  }
  return median(times)
}
const expandMs = timeIt(() => expandHostlist(expression))
const foldMs = timeIt(() => foldHostlist(shuffled))
const gappyMs = timeIt(() => foldHostlist(gappy))
const floorMs = timeIt(() => Array.from({ length: NAMES }, (_, i) => `n${i + 1}`))
const slurmExpand = await scontrol(['hostnames', expression], NAMES)
const slurmFold = await scontrol(['hostlistsorted', shuffledFile])
const slurmGappy = await scontrol(['hostlistsorted', gappyFile])
const folded = foldHostlist(gappy)
printTable([
  ['hostlist, 100,000 names', 'flight-power', 'scontrol (incl. process start)', 'ratio'],
  [`expand ${expression}`, formatMs(expandMs), formatMs(slurmExpand), ratio(expandMs, slurmExpand)],
  ['fold 100,000 shuffled names', formatMs(foldMs), formatMs(slurmFold), ratio(foldMs, slurmFold)],
  [
    `fold ${gappy.length.toLocaleString('en-US')} names with gaps (${folded.split(',').length.toLocaleString('en-US')} ranges)`,
    formatMs(gappyMs),
    formatMs(slurmGappy),
    ratio(gappyMs, slurmGappy),
  ],
  ['floor: build the 100,000 strings', formatMs(floorMs), '', ''],
])
console.log(
  'flight-power figures are in-process (median of 5 after 2 warm-ups); scontrol is Slurm 22+ `scontrol show hostnames|hostlistsorted`\n',
)
recordRow({
  section: 'Start-up',
  what: `hostlist expand, ${NAMES.toLocaleString('en-US')} names`,
  value: formatMs(expandMs),
  baseline: `scontrol show hostnames ${formatMs(slurmExpand)}; building the strings ${formatMs(floorMs)}`,
  ratio: `${ratio(expandMs, slurmExpand)} scontrol`,
  note: 'in-process, median of 5; scontrol includes its process start',
})
recordRow({
  section: 'Start-up',
  what: `hostlist fold, ${NAMES.toLocaleString('en-US')} shuffled names`,
  value: formatMs(foldMs),
  baseline: `scontrol show hostlistsorted ${formatMs(slurmFold)}`,
  ratio: `${ratio(foldMs, slurmFold)} scontrol`,
  note: `with gaps (${folded.split(',').length.toLocaleString('en-US')} ranges): ${formatMs(gappyMs)} vs ${formatMs(slurmGappy)}`,
})

// --- 3. Client cold start -----------------------------------------------------------------
const hello = join(dir, 'hello')
const helloSource = join(dir, 'hello.ts')
writeFileSync(helloSource, 'console.log("hello")\n')
const built = await timeCommand([
  process.execPath,
  'build',
  '--compile',
  '--minify',
  helloSource,
  '--outfile',
  hello,
])
const server = await startBenchServer(benchTopology({ nodes: 10, status: 'exit 0' }))
try {
  const env = clientEnv(server)
  const curlStatus = `curl -sf -H 'Authorization: Bearer ${server.powerToken}' ${server.url}/?nodes=node01`
  const commands: [string, string][] = [
    ['flight-power --version', `${binary} --version`],
    ['curl --version', 'curl --version'],
    ...(built.code === 0 ? ([['bare compiled Bun binary', hello]] as [string, string][]) : []),
    ['flight-power status node01', `${binary} status node01`],
    ['curl GET /?nodes=node01', curlStatus],
  ]
  const json = join(dir, 'hyperfine.json')
  const argv = [
    'hyperfine',
    '-N',
    '--warmup',
    '3',
    '--runs',
    quickMode() ? '10' : '30',
    '--export-json',
    json,
  ]
  for (const [name, command] of commands) argv.push('-n', name, command)
  const run = await timeCommand(argv, { env })
  if (run.code !== 0) throw new Error(`hyperfine failed: ${run.stderr}`)
  const results = (
    JSON.parse(readFileSync(json, 'utf8')) as { results: { command: string; median: number }[] }
  ).results
  const ms = (name: string) =>
    (results.find((r) => r.command === name)?.median ?? Number.NaN) * 1000
  printTable([
    ['cold start (hyperfine, median)', 'time', 'vs curl'],
    [
      'flight-power --version',
      formatMs(ms('flight-power --version')),
      ratio(ms('flight-power --version'), ms('curl --version')),
    ],
    ['curl --version', formatMs(ms('curl --version')), '1.00×'],
    [
      'bare compiled Bun binary (floor)',
      formatMs(ms('bare compiled Bun binary')),
      ratio(ms('bare compiled Bun binary'), ms('curl --version')),
    ],
    [
      'flight-power status node01',
      formatMs(ms('flight-power status node01')),
      ratio(ms('flight-power status node01'), ms('curl GET /?nodes=node01')),
    ],
    ['curl GET /?nodes=node01', formatMs(ms('curl GET /?nodes=node01')), '1.00×'],
  ])
  recordRow({
    section: 'Start-up',
    what: 'client cold start: flight-power --version',
    value: formatMs(ms('flight-power --version')),
    baseline: `curl --version ${formatMs(ms('curl --version'))}; bare Bun binary ${formatMs(ms('bare compiled Bun binary'))}`,
    ratio: `${ratio(ms('flight-power --version'), ms('curl --version'))} curl`,
    note: 'hyperfine median',
  })
  recordRow({
    section: 'Start-up',
    what: 'client cold start: flight-power status node01 (script exit 0)',
    value: formatMs(ms('flight-power status node01')),
    baseline: `curl GET /?nodes=node01 ${formatMs(ms('curl GET /?nodes=node01'))}`,
    ratio: `${ratio(ms('flight-power status node01'), ms('curl GET /?nodes=node01'))} curl`,
    note: 'hyperfine median; same server, same script',
  })
} finally {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
console.log(`\nload average at end: ${loadAverage()}`)
