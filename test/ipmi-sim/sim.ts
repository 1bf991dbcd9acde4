/**
 * Simulated BMCs for the IPMI end-to-end test: OpenIPMI's `ipmi_sim` on loopback, one process
 * and one UDP port each, whose power the chassis_control hook keeps in a state directory.
 */
import { createSocket, type Socket } from 'node:dgram'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

const HERE = import.meta.dir

/** One running ipmi_sim. */
export interface SimulatedBmc {
  readonly port: number
  /** The power state the BMC holds now (what chassis_control last recorded). */
  power(): 'on' | 'off'
  /** How many resets the BMC has received. */
  resets(): number
  /** What the BMC asked its chassis_control hook to set, in order, e.g. `identify 0 1`. */
  sets(): string[]
  stop(): Promise<void>
}

export interface BmcOptions {
  /** A directory of its own for the BMC's config and state. */
  dir: string
  user: string
  password: string
  power: 'on' | 'off'
  /** The pretend OS ignores a soft shutdown (ACPI) and stays on. */
  ignoresShutdown?: boolean
  /** The BMC refuses every boot device (Set System Boot Options fails). */
  refusesBoot?: boolean
  /** Loopback address to listen on (default 127.0.0.1): 127.0.0.N gives BMCs their own hosts. */
  address?: string
}

/** Whether ipmi_sim is installed (Debian/Ubuntu package `openipmi`). */
export function hasIpmiSim(): boolean {
  return Bun.which('ipmi_sim') !== null && Bun.which('ipmitool') !== null
}

/** Start ipmi_sim on a free loopback port and wait until it answers ipmitool. */
export async function startSimulatedBmc(options: BmcOptions): Promise<SimulatedBmc> {
  const { dir } = options
  const state = join(dir, 'state')
  mkdirSync(join(dir, 'persist'), { recursive: true })
  mkdirSync(state, { recursive: true })
  writeFileSync(join(state, 'power'), options.power === 'on' ? '1\n' : '0\n')
  if (options.ignoresShutdown) writeFileSync(join(state, 'ignores-shutdown'), '')
  if (options.refusesBoot) writeFileSync(join(state, 'refuses-boot'), '')
  const config = (port: number) => {
    const values: Record<string, string> = {
      NAME: `bmc${port}`,
      PORT: String(port),
      ADDRESS: options.address ?? '127.0.0.1',
      USER: options.user,
      PASSWORD: options.password,
      CHASSIS_CONTROL: join(HERE, 'chassis_control'),
      STATE_DIR: state,
    }
    const text = readFileSync(join(HERE, 'lan.conf.template'), 'utf8').replace(
      /@([A-Z_]+)@/g,
      (_, key: string) => values[key] ?? '',
    )
    writeFileSync(join(dir, 'lan.conf'), text)
    return join(dir, 'lan.conf')
  }

  // -n: no console on stdin; -s: persistent state in the test's directory, not /var/ipmi_sim.
  const { port, child: sim } = await spawnAnswering(
    'ipmi_sim',
    (port) =>
      Bun.spawn(
        [
          'ipmi_sim',
          '-n',
          '-c',
          config(port),
          '-f',
          join(HERE, 'sim.emu'),
          '-s',
          join(dir, 'persist'),
        ],
        { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
      ),
    options,
  )
  return {
    port,
    power: () => (readFileSync(join(state, 'power'), 'utf8').trim() === '1' ? 'on' : 'off'),
    resets: () => readLines(join(state, 'resets')).length,
    sets: () =>
      readLines(join(state, 'calls'))
        .filter((line) => line.startsWith('set '))
        .map((line) => line.slice(4)),
    async stop() {
      sim.kill('SIGKILL')
      await sim.exited
    },
  }
}

/** A BMC process started by `spawnAnswering`. */
export type BmcProcess = Subprocess<'ignore', 'pipe', 'pipe'>

/**
 * Start `spawn(port)` on a loopback UDP port that was free a moment ago and wait until it
 * answers ipmitool. Another process may bind the port between the check and the BMC's own
 * bind; the BMC then exits ("Unable to bind to LAN port") and a new port is tried, three in all.
 */
export async function spawnAnswering(
  what: string,
  spawn: (port: number) => BmcProcess,
  login: Pick<BmcOptions, 'user' | 'password' | 'address'>,
): Promise<{ port: number; child: BmcProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeUdpPort()
    const child = spawn(port)
    const running = () => child.exitCode === null && child.signalCode === null
    let failure: unknown
    try {
      await waitAnswering(port, login, running)
      // An answer while our BMC has exited came from whoever holds the port: not ours.
      if (running()) return { port, child }
      failure = new Error(`it exited (${child.exitCode}) while another process answered`)
    } catch (error) {
      failure = error
    }
    const exited = !running()
    child.kill('SIGKILL')
    await child.exited
    const output = `${await new Response(child.stdout).text()}${await new Response(child.stderr).text()}`
    if (exited && attempt < 3) continue
    throw new Error(
      `${what} on port ${port} did not answer: ${(failure as Error).message}\n${output}`,
      { cause: failure },
    )
  }
}

/** A "BMC" that never answers: a UDP socket on loopback that reads and drops everything. */
export async function startSilentBmc(): Promise<{ port: number; stop(): void }> {
  const socket = createSocket('udp4')
  socket.on('message', () => {})
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return { port: socket.address().port, stop: () => socket.close() }
}

/** A loopback UDP port that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const socket: Socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(resolve))
  return port
}

/**
 * Wait until ipmitool gets an answer to `mc info` from the BMC on `port` (10 s at most);
 * give up early once `running()` says the BMC's process is gone.
 */
export async function waitAnswering(
  port: number,
  options: Pick<BmcOptions, 'user' | 'password' | 'address'>,
  running: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + 10_000
  let last = ''
  while (Date.now() < deadline) {
    if (!running()) throw new Error('it exited before answering')
    const probe = Bun.spawn(
      [
        'ipmitool',
        '-I',
        'lanplus',
        '-H',
        options.address ?? '127.0.0.1',
        '-p',
        String(port),
        '-U',
        options.user,
        '-E',
        '-C',
        '3',
        '-N',
        '1',
        '-R',
        '1',
        'mc',
        'info',
      ],
      { env: { ...process.env, IPMI_PASSWORD: options.password }, stdout: 'pipe', stderr: 'pipe' },
    )
    if ((await probe.exited) === 0) return
    last = await new Response(probe.stderr).text()
    await Bun.sleep(100)
  }
  throw new Error(last.trim() || 'no answer within 10 s')
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean)
  } catch {
    return []
  }
}
