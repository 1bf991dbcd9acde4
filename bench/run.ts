/**
 * The whole benchmark suite (`npm run bench`): builds the binary once, runs every bench in its
 * own process, one after the other, and ends with one Markdown summary to paste into the
 * README's Performance section: the machine, then each figure beside its baselines.
 *
 *   bun bench/run.ts [--quick] [--only fanout,exec,ipmi,redfish,server,startup,client,limits,stagger,hostlist,idle,stream,state] [--out FILE]
 *
 * Budget: under 17 minutes on a 2-core machine (fan-out is about half of it). Figures are
 * medians of several runs; nothing is asserted about time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBinary } from '../test/harness.ts'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { quickMode, type SummaryRow } from './lib/results.ts'
import { formatMs } from './lib/stats.ts'

interface Bench {
  readonly name: string
  readonly file: string
  /** Killed after this long, so one stuck bench cannot hold the suite. */
  readonly timeoutMinutes: number
  /** Its arguments in --quick mode (default `--quick`). */
  readonly quickArgs?: readonly string[]
}

const BENCHES: readonly Bench[] = [
  { name: 'fanout', file: 'fanout.ts', timeoutMinutes: 10 },
  { name: 'exec', file: 'exec.ts', timeoutMinutes: 2 },
  { name: 'ipmi', file: 'ipmi.ts', timeoutMinutes: 3 },
  // 1,000 simulated Redfish BMCs through the built-in driver, against xargs -P 50 curl.
  { name: 'redfish', file: 'redfish.ts', timeoutMinutes: 5 },
  { name: 'server', file: 'server.ts', timeoutMinutes: 3 },
  { name: 'startup', file: 'startup.ts', timeoutMinutes: 6 },
  // The client owner's bench: same request as startup's cold status, alternating runs; its
  // figures are printed above the summary (startup.ts records the row).
  { name: 'client', file: 'client.ts', timeoutMinutes: 2, quickArgs: ['10'] },
  { name: 'limits', file: 'limits.ts', timeoutMinutes: 5 },
  { name: 'stagger', file: 'stagger.ts', timeoutMinutes: 3 },
  { name: 'hostlist', file: 'hostlist.ts', timeoutMinutes: 1 },
  // 2,000 idle unauthenticated keep-alive connections: /health and status still answer.
  { name: 'idle', file: 'idle-connections.ts', timeoutMinutes: 3 },
  { name: 'stream', file: 'stream.ts', timeoutMinutes: 5 },
  { name: 'state', file: 'state.ts', timeoutMinutes: 2 },
]

const argv = process.argv.slice(2)
const only = argv.includes('--only')
  ? new Set((argv[argv.indexOf('--only') + 1] ?? '').split(','))
  : undefined
const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined
const selected = BENCHES.filter((bench) => !only || only.has(bench.name))
const unknown = [...(only ?? [])].filter((name) => !BENCHES.some((bench) => bench.name === name))
if (unknown.length > 0) {
  console.error(
    `Unknown bench "${unknown.join('", "')}": choose from ${BENCHES.map((b) => b.name).join(', ')}`,
  )
  process.exit(2)
}

const scratch = mkdtempSync(join(tmpdir(), 'flight-power-bench-suite-'))
const resultsFile = join(scratch, 'results.jsonl')
writeFileSync(resultsFile, '')
const machine = describeMachine()
const loadAtStart = loadAverage()
const suiteStarted = performance.now()
console.log(`# flight-power benchmark suite${quickMode() ? ' (quick)' : ''}`)
console.log(`machine: ${machine}; load average at start: ${loadAtStart}\n`)

// One binary for every bench, so a source tree edited mid-run cannot mix two builds.
const binary = await buildBinary()
const timings: string[] = []
for (const bench of selected) {
  const started = performance.now()
  console.log(`\n===== bench/${bench.file} =====\n`)
  const child = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, bench.file),
      ...(quickMode() ? (bench.quickArgs ?? ['--quick']) : []),
    ],
    {
      env: { ...process.env, BENCH_RESULTS: resultsFile, FLIGHT_POWER_TEST_BINARY: binary },
      stdin: 'ignore',
      stdout: bench.name === 'exec' ? 'pipe' : 'inherit',
      stderr: 'inherit',
      timeout: bench.timeoutMinutes * 60_000,
      killSignal: 'SIGKILL',
    },
  )
  // bench/exec.ts belongs to the runner's owner and records no row: read its last line.
  const text =
    bench.name === 'exec' ? await new Response(child.stdout as ReadableStream).text() : ''
  if (text) process.stdout.write(text)
  const code = await child.exited
  const elapsed = performance.now() - started
  timings.push(`${bench.name} ${formatMs(elapsed)}`)
  if (bench.name === 'exec') recordExec(text)
  if (code !== 0 || child.signalCode) {
    const why = child.signalCode ? `killed after ${bench.timeoutMinutes} min` : `exit ${code}`
    console.log(`\nbench/${bench.file} failed (${why}); its figures are missing from the summary`)
    appendRow({
      section: sectionOf(bench.name),
      what: `bench/${bench.file}`,
      value: `failed (${why})`,
      baseline: '-',
      ratio: '-',
    })
  }
}
const total = performance.now() - suiteStarted

const rows = readFileSync(resultsFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as SummaryRow)
rmSync(scratch, { recursive: true, force: true })
const markdown = renderMarkdown(rows)
console.log(`\n===== summary =====\n\n${markdown}`)
if (out) writeFileSync(out, markdown)

function appendRow(row: SummaryRow): void {
  writeFileSync(resultsFile, `${readFileSync(resultsFile, 'utf8')}${JSON.stringify(row)}\n`)
}

function sectionOf(name: string): string {
  return (
    {
      fanout: 'Fan-out',
      exec: 'Fan-out',
      ipmi: 'IPMI',
      redfish: 'Redfish',
      server: 'Server',
      startup: 'Start-up',
      limits: 'Limits',
      stream: 'Stream',
    }[name] ?? name
  )
}

/** bench/exec.ts prints "runner/xargs = 1.23 (goal <= 1.5)" and a median row last. */
function recordExec(text: string): void {
  const ratioMatch = /runner\/xargs = ([\d.]+)/.exec(text)
  const medianMatch = /median\s+(\d+)\s+(\d+)/.exec(text)
  const scripts = /^(\d+) scripts, concurrency (\d+), (\d+) rounds/m.exec(text)
  if (!ratioMatch || !medianMatch) return
  appendRow({
    section: 'Fan-out',
    what: `script runner alone (src/exec), ${scripts?.[1] ?? '?'} × \`test\`, C=${scripts?.[2] ?? '?'}`,
    value: formatMs(Number(medianMatch[1])),
    baseline: `xargs -P ${scripts?.[2] ?? '?'} ${formatMs(Number(medianMatch[2]))}`,
    ratio: `${Number(ratioMatch[1]).toFixed(2)}× xargs`,
    goal: '≤ 1.5× xargs',
    met: Number(ratioMatch[1]) <= 1.5,
    note: `bench/exec.ts, median of ${scripts?.[3] ?? '?'}`,
  })
}

function cell(text: string | undefined): string {
  return (text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ')
}

function renderMarkdown(all: readonly SummaryRow[]): string {
  const lines: string[] = []
  lines.push(
    `Measured with \`npm run bench\` on ${machine} (load average ${loadAtStart} at start, ${loadAverage()} at end); the whole suite took ${formatMs(total)}${quickMode() ? ' in --quick mode' : ''}.`,
  )
  lines.push(
    'Figures are medians (repetitions in the last column); each baseline ran in the same invocation, alternating with flight-power.',
  )
  lines.push('')
  lines.push('| Benchmark | flight-power | Baseline | Ratio | Goal | Notes |')
  lines.push('|---|---|---|---|---|---|')
  for (const row of all.filter((r) => r.section !== 'Limits')) {
    const goal = row.goal ? `${row.goal}: ${row.met ? '**met**' : '**missed**'}` : ''
    lines.push(
      `| ${cell(`${row.section}: ${row.what}`)} | ${cell(row.value)} | ${cell(row.baseline)} | ${cell(row.ratio)} | ${cell(goal)} | ${cell(row.note)} |`,
    )
  }
  const limits = all.filter((r) => r.section === 'Limits')
  if (limits.length > 0) {
    lines.push('')
    lines.push('Scale limits (`bench/limits.ts`): what happens at each size.')
    lines.push('')
    lines.push('| Limit | What happened | Verdict |')
    lines.push('|---|---|---|')
    for (const row of limits)
      lines.push(`| ${cell(row.what)} | ${cell(row.value)} | ${cell(row.note)} |`)
  }
  lines.push('')
  lines.push(`Bench durations: ${timings.join(', ')}.`)
  return lines.join('\n')
}
