/**
 * Redfish fan-out: `flight-power status @all` on 1,000 simulated BMCs (test/redfish-sim in
 * child processes, HTTPS with a generated CA) through the built-in driver, against
 * `xargs -P 50 curl` doing the same GET of each system, alternating in one run. Goal: at most
 * half the curl time, server RSS growth under 60 MB. Run with `bun bench/redfish.ts`
 * (`--quick` for 200 BMCs, `--bmcs 10000` for the big one); it asserts nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSimulator, type SimulatorProcess } from '../test/redfish-sim/index.ts'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { procStatusKb, sampleRss, timeCommand } from './lib/proc.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { startServer } from '../test/harness.ts'
import { buildBinary, clientEnv, lastServerMs } from './lib/server.ts'
import { formatCount, formatKb, formatMs, median, printTable, ratio } from './lib/stats.ts'
import { nodeNames } from './lib/topology.ts'

const argv = process.argv.slice(2)
const BMCS = argv.includes('--bmcs')
  ? Number(argv[argv.indexOf('--bmcs') + 1])
  : quickMode()
    ? 200
    : 1000
const ROUNDS = argv.includes('--rounds')
  ? Number(argv[argv.indexOf('--rounds') + 1])
  : quickMode()
    ? 3
    : 5
/** `--no-curl`: flight-power only (the curl baseline at 10,000 BMCs takes many minutes). */
const CURL = !argv.includes('--no-curl')
/** BMCs per simulator process: each holds a listening socket and a connection per BMC. */
const PER_PROCESS = 2500
const PASSWORD = 'bench-pass-5501'
const RSS_GOAL_MB = 60

if (!(Number.isInteger(BMCS) && BMCS >= 1)) {
  console.error('--bmcs must be a whole number of BMCs')
  process.exit(2)
}
if (Bun.which('curl') === null) {
  console.log('redfish bench skipped: needs curl')
  process.exit(0)
}

const scratch = mkdtempSync(join(tmpdir(), 'flight-power-bench-redfish-'))
const sims: SimulatorProcess[] = []
const expectedOn = Math.ceil(BMCS / 2)

async function viaFlightPower(binary: string, env: Record<string, string>): Promise<number> {
  const run = await timeCommand([binary, 'status', '@all'], { env })
  const on = run.stdout.split('\n').filter((line) => / On$/.test(line)).length
  const off = run.stdout.split('\n').filter((line) => / Off$/.test(line)).length
  if (run.code !== 111 || on !== expectedOn || off !== BMCS - expectedOn)
    throw new Error(
      `flight-power status failed: exit ${run.code}, ${on} on, ${off} off\n${run.stdout.slice(0, 2000)}${run.stderr}`,
    )
  return run.ms
}

/** The same GET per BMC with curl under xargs -P 50: a new process and TLS handshake each. */
async function viaCurl(input: string): Promise<number> {
  const run = await timeCommand(
    [
      'xargs',
      '-P',
      '50',
      '-n',
      '2',
      'sh',
      '-c',
      // $1 the CA, $2 the URL; --config keeps the password off the argument list, as we do.
      `curl -sS --cacert "$1" --config "${join(scratch, 'curl.conf')}" -o /dev/null -w '%{http_code}\\n' "$2"`,
      'sh',
    ],
    { stdin: input },
  )
  const ok = run.stdout.split('\n').filter((line) => line === '200').length
  if (run.code !== 0 || ok !== BMCS)
    throw new Error(
      `xargs curl failed: exit ${run.code}, ${ok} × 200\n${run.stderr.slice(0, 2000)}`,
    )
  return run.ms
}

try {
  console.log(
    `# Redfish: flight-power status @all vs xargs -P 50 curl on ${formatCount(BMCS)} BMCs`,
  )
  console.log(`machine: ${describeMachine()}; load average at start: ${loadAverage()}`)
  const started = performance.now()
  for (let first = 0; first < BMCS; first += PER_PROCESS) {
    const count = Math.min(PER_PROCESS, BMCS - first)
    sims.push(
      await spawnSimulator(
        Array.from({ length: count }, (_, i) => ({
          name: `bmc${first + i}`,
          password: PASSWORD,
          power: first + i < expectedOn ? ('On' as const) : ('Off' as const),
        })),
        { timeoutMs: 120_000 },
      ),
    )
  }
  const bmcs = sims.flatMap((sim) => sim.bmcs.map((bmc) => ({ ...bmc, ca: sim.caFile! })))
  console.log(
    `${formatCount(BMCS)} BMCs in ${sims.length} process(es) after ${formatMs(performance.now() - started)}`,
  )

  const names = nodeNames(BMCS)
  const topology = `static_nodes:
${bmcs.map((bmc, i) => `  ${names[i]}: { platform: rf, bmc: "${bmc.host}", redfish_username: admin, redfish_ca_file: "${bmc.ca}" }`).join('\n')}
platforms:
  rf:
    driver: redfish
    timeout: 60
`
  writeFileSync(join(scratch, 'curl.conf'), `user = "admin:${PASSWORD}"\n`, { mode: 0o600 })
  // xargs -n 2 takes the CA and the URL of each BMC in turn.
  const input = bmcs.map((bmc) => `${bmc.ca}\n${bmc.url}/redfish/v1/Systems/1\n`).join('')

  const binary = await buildBinary()
  const server = await startServer({
    topology,
    env: { REDFISH_PASSWORD: PASSWORD },
    startTimeoutMs: 120_000,
  })
  const env = clientEnv(server)
  const fp: number[] = []
  const serverPart: number[] = []
  const curl: number[] = []
  let cold = Number.NaN
  let idleKb = Number.NaN
  let peakKb = Number.NaN
  let afterKb = Number.NaN
  try {
    idleKb = procStatusKb(server.pid, 'VmRSS')
    const rss = sampleRss(server.pid, 50)
    // The first run logs in to every BMC and finds its system: reported apart.
    cold = await viaFlightPower(binary, env)
    console.log(`first run (logs in to every BMC): ${formatMs(cold)}`)
    if (CURL) await viaCurl(input)
    for (let round = 0; round < ROUNDS; round++) {
      fp.push(await viaFlightPower(binary, env))
      serverPart.push(lastServerMs(server, '/?'))
      if (CURL) curl.push(await viaCurl(input))
      console.log(
        `round ${round + 1}: flight-power ${formatMs(fp.at(-1)!)}${CURL ? `, curl ${formatMs(curl.at(-1)!)}` : ''}`,
      )
    }
    peakKb = rss.stop()
    afterKb = procStatusKb(server.pid, 'VmRSS')
  } finally {
    await server.stop()
  }

  const f = median(fp)
  const c = CURL ? median(curl) : Number.NaN
  const growthMb = (peakKb - idleKb) / 1024
  printTable([
    ['contender', 'median', 'min', 'max', 'vs curl'],
    [
      'flight-power status @all',
      formatMs(f),
      formatMs(Math.min(...fp)),
      formatMs(Math.max(...fp)),
      ratio(f, c),
    ],
    [
      '  of which server',
      formatMs(median(serverPart)),
      formatMs(Math.min(...serverPart)),
      formatMs(Math.max(...serverPart)),
      ratio(median(serverPart), c),
    ],
    ['  first run (sessions made)', formatMs(cold), '-', '-', ratio(cold, c)],
    [
      'xargs -P 50 curl',
      formatMs(c),
      formatMs(Math.min(...curl)),
      formatMs(Math.max(...curl)),
      '1.00×',
    ],
  ])
  console.log(
    `\nserver RSS: idle ${formatKb(idleKb)}, peak ${formatKb(peakKb)}, after ${formatKb(afterKb)}; growth ${growthMb.toFixed(1)} MB (goal < ${RSS_GOAL_MB} MB)`,
  )
  console.log(`flight-power / curl = ${ratio(f, c)} (goal ≤ 0.50×)`)
  console.log(`load average at end: ${loadAverage()}`)
  recordRow({
    section: 'Redfish',
    what: `status @all, ${formatCount(BMCS)} simulated Redfish BMCs (HTTPS)`,
    value: formatMs(f),
    baseline: CURL ? `xargs -P 50 curl ${formatMs(c)}` : 'curl skipped (--no-curl)',
    ratio: `${ratio(f, c)} curl`,
    ...(CURL ? { goal: '≤ 0.5× curl', met: f <= c / 2 } : {}),
    note: `median of ${ROUNDS}; first run ${formatMs(cold)} (logs in to every BMC)`,
  })
  recordRow({
    section: 'Redfish',
    what: `server RSS growth, status @all on ${formatCount(BMCS)} BMCs`,
    value: `${growthMb.toFixed(1)} MB`,
    baseline: `idle ${formatKb(idleKb)}, peak ${formatKb(peakKb)}`,
    ratio: `${(growthMb / RSS_GOAL_MB).toFixed(2)}× of goal`,
    goal: `< ${RSS_GOAL_MB} MB`,
    met: growthMb < RSS_GOAL_MB,
    note: 'VmRSS sampled every 50 ms',
  })
} finally {
  await Promise.all(sims.map((sim) => sim.stop()))
  rmSync(scratch, { recursive: true, force: true })
}
