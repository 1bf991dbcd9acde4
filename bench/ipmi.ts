/**
 * Real IPMI fan-out: 32 simulated BMCs (OpenIPMI's ipmi_sim on loopback, one UDP port each)
 * queried by `flight-power status @all` through the shipped ipmi platform (one ipmitool per
 * node), beside FreeIPMI's `ipmipower --stat` on the same BMCs: a native parallel IPMI client
 * that keeps every session in one process, the practical limit. `xargs -P 50` running the
 * platform's own ipmitool command shows how much of the gap is ipmitool itself. Run with
 * `bun bench/ipmi.ts` (`--quick` for 8 BMCs and fewer rounds); it asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hasIpmiSim, startSimulatedBmc, type SimulatedBmc } from '../test/ipmi-sim/sim.ts'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { timeCommand } from './lib/proc.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { buildBinary, clientEnv, lastServerMs, startBenchServer } from './lib/server.ts'
import { formatMs, median, printTable, ratio } from './lib/stats.ts'
import { shippedTopology } from './lib/topology.ts'

/** `--bmcs N` measures N BMCs (default 32; 8 with --quick). */
const bmcsArg = process.argv.indexOf('--bmcs')
const BMCS = bmcsArg > 0 ? Number(process.argv[bmcsArg + 1]) : quickMode() ? 8 : 32
const ROUNDS = quickMode() ? 3 : 10
const USER = 'admin'
const PASSWORD = 's3cret'

if (!hasIpmiSim() || Bun.which('ipmipower') === null) {
  console.log(
    'ipmi bench skipped: needs ipmi_sim and ipmitool (openipmi, ipmitool) and ipmipower (freeipmi-tools)',
  )
  recordRow({
    section: 'IPMI',
    what: `status of ${BMCS} ipmi_sim BMCs`,
    value: 'skipped',
    baseline: '-',
    ratio: '-',
    note: 'ipmi_sim, ipmitool or ipmipower not installed',
  })
  process.exit(0)
}

/**
 * Each BMC on its own loopback address, as real BMCs each have their own: ipmipower names
 * hosts without their port, so the ranged scripts give one ipmipower each distinct host.
 */
function address(i: number): string {
  return `127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`
}

const root = mkdtempSync(join(tmpdir(), 'flight-power-bench-ipmi-'))
const bmcs: SimulatedBmc[] = []
// Half on, half off, so both answers are parsed on every path.
const expectedOn = Math.ceil(BMCS / 2)

async function viaFlightPower(binary: string, env: Record<string, string>): Promise<number> {
  const run = await timeCommand([binary, 'status', '@all'], { env })
  const on = run.stdout.split('\n').filter((line) => / On$/.test(line)).length
  const off = run.stdout.split('\n').filter((line) => / Off$/.test(line)).length
  // Exit 111: every node answered, at least one is off.
  if (run.code !== 111 || on !== expectedOn || off !== BMCS - expectedOn) {
    throw new Error(
      `flight-power status failed: exit ${run.code}, ${on} on, ${off} off\n${run.stdout}${run.stderr}`,
    )
  }
  return run.ms
}

/**
 * FreeIPMI's ipmipower: -D LAN_2_0 (lanplus), -I 3 (the cipher suite ipmi_sim offers), and
 * -W opensesspriv, without which ipmi_sim answers "privilege level cannot be obtained for
 * this user" (it grants the session privilege in the Open Session reply, not the request).
 * Hosts are given as ADDRESS:PORT, one per BMC (ipmipower fans out 64 at a time).
 */
async function viaIpmipower(): Promise<number> {
  const hosts = bmcs.map((bmc, i) => `${address(i)}:${bmc.port}`).join(',')
  const run = await timeCommand([
    'ipmipower',
    '-D',
    'LAN_2_0',
    '-I',
    '3',
    '-W',
    'opensesspriv',
    '-u',
    USER,
    '-p',
    PASSWORD,
    '-h',
    hosts,
    '--stat',
  ])
  const on = run.stdout.split('\n').filter((line) => /: on$/.test(line)).length
  const off = run.stdout.split('\n').filter((line) => /: off$/.test(line)).length
  if (run.code !== 0 || on !== expectedOn || off !== BMCS - expectedOn) {
    throw new Error(
      `ipmipower failed: exit ${run.code}, ${on} on, ${off} off\n${run.stdout}${run.stderr}`,
    )
  }
  return run.ms
}

/** The platform's ipmitool command, one bash per BMC under xargs -P 50: no server, no client. */
async function viaXargsIpmitool(): Promise<number> {
  const input = bmcs
    .map(
      (bmc) =>
        `IPMI_PASSWORD=${PASSWORD} ipmitool -I lanplus -H ${address(bmcs.indexOf(bmc))} -p ${bmc.port} -U ${USER} -E -C 3 chassis power status\0`,
    )
    .join('')
  const run = await timeCommand(['xargs', '-0', '-P', '50', '-n', '1', 'bash', '-c'], {
    stdin: input,
  })
  const answers = run.stdout
    .split('\n')
    .filter((line) => /^Chassis Power is (on|off)$/.test(line)).length
  if (run.code !== 0 || answers !== BMCS)
    throw new Error(`xargs ipmitool failed: exit ${run.code}\n${run.stdout}${run.stderr}`)
  return run.ms
}

try {
  console.log(`# IPMI: flight-power status @all vs ipmipower --stat on ${BMCS} ipmi_sim BMCs`)
  console.log(`machine: ${describeMachine()}; load average at start: ${loadAverage()}`)
  const started = performance.now()
  for (let i = 0; i < BMCS; i++) {
    // One at a time: ipmi_sim start-up is CPU-heavy and the machine has few cores.
    bmcs.push(
      await startSimulatedBmc({
        dir: join(root, `bmc${i + 1}`),
        user: USER,
        password: PASSWORD,
        power: i < expectedOn ? 'on' : 'off',
        address: address(i),
      }),
    )
  }
  console.log(
    `${BMCS} BMCs answering after ${formatMs(performance.now() - started)}; ${ROUNDS} alternating rounds after one warm-up\n`,
  )

  const nodes = bmcs.map(
    (bmc, i) =>
      `  node${String(i + 1).padStart(2, '0')}: { platform: ipmi, ipmi_username: ${USER}, ipmi_password: ${PASSWORD}, bmc: ${address(i)}, ipmi_port: ${bmc.port}, ipmi_cipher_suite: 3 }`,
  )
  const binary = await buildBinary()
  const server = await startBenchServer(shippedTopology(nodes))
  const env = clientEnv(server)
  const fp: number[] = []
  const serverPart: number[] = []
  const native: number[] = []
  const xargs: number[] = []
  try {
    await viaFlightPower(binary, env)
    await viaIpmipower()
    await viaXargsIpmitool()
    for (let round = 0; round < ROUNDS; round++) {
      fp.push(await viaFlightPower(binary, env))
      serverPart.push(lastServerMs(server, '/?'))
      native.push(await viaIpmipower())
      xargs.push(await viaXargsIpmitool())
    }
  } finally {
    await server.stop()
  }

  const f = median(fp)
  const n = median(native)
  const x = median(xargs)
  printTable([
    ['contender', 'median', 'min', 'max', 'vs ipmipower'],
    [
      'flight-power status @all',
      formatMs(f),
      formatMs(Math.min(...fp)),
      formatMs(Math.max(...fp)),
      ratio(f, n),
    ],
    [
      '  of which server',
      formatMs(median(serverPart)),
      formatMs(Math.min(...serverPart)),
      formatMs(Math.max(...serverPart)),
      ratio(median(serverPart), n),
    ],
    [
      'xargs -P 50 ipmitool',
      formatMs(x),
      formatMs(Math.min(...xargs)),
      formatMs(Math.max(...xargs)),
      ratio(x, n),
    ],
    [
      'ipmipower --stat',
      formatMs(n),
      formatMs(Math.min(...native)),
      formatMs(Math.max(...native)),
      '1.00×',
    ],
  ])
  console.log(
    `\nflight-power / ipmipower = ${ratio(f, n)}; flight-power / xargs ipmitool = ${ratio(f, x)}`,
  )
  console.log(`load average at end: ${loadAverage()}`)
  recordRow({
    section: 'IPMI',
    what: `status @all, ${BMCS} ipmi_sim BMCs (shipped ipmi platform)`,
    value: formatMs(f),
    baseline: `ipmipower --stat ${formatMs(n)}; xargs -P 50 ipmitool ${formatMs(x)}`,
    ratio: `${ratio(f, n)} ipmipower; ${ratio(f, x)} xargs`,
    note: `median of ${ROUNDS}`,
  })
} finally {
  await Promise.all(bmcs.map((bmc) => bmc.stop()))
  rmSync(root, { recursive: true, force: true })
}
