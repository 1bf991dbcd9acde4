/**
 * A real slurmctld for the Slurm end-to-end test: loopback only, no slurmd, no munge
 * (auth/none, cred/none), state and logs in a temporary directory.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'

/** Where Debian's packages put them; absolute so that no PATH surprise can change the test. */
const SLURMCTLD = ['/usr/sbin/slurmctld', '/usr/bin/slurmctld'].find((path) => existsSync(path))
const SCONTROL = ['/usr/bin/scontrol', '/usr/sbin/scontrol'].find((path) => existsSync(path))
const SBATCH = ['/usr/bin/sbatch'].find((path) => existsSync(path))

/** The programs slurm.conf names. */
export interface SlurmPrograms {
  readonly resume: string
  readonly suspend: string
  readonly resumeFail: string
}

/** A running slurmctld. */
export interface Slurmctld {
  readonly conf: string
  /** Run scontrol (or sbatch) against this controller; throws on a non-zero exit. */
  scontrol(...args: string[]): Promise<string>
  sbatch(...args: string[]): Promise<string>
  /** slurmctld's log file so far. */
  log(): Promise<string>
  stop(): Promise<void>
}

/**
 * Fail loudly when Slurm is missing: CI installs it (.ci/run), and a silently skipped test
 * would pass without proving anything.
 */
export function requireSlurm(): { slurmctld: string; scontrol: string; sbatch: string } {
  if (!SLURMCTLD || !SCONTROL || !SBATCH) {
    throw new Error(
      'The Slurm end-to-end test needs slurmctld, scontrol and sbatch: apt-get install slurmctld slurm-client',
    )
  }
  return { slurmctld: SLURMCTLD, scontrol: SCONTROL, sbatch: SBATCH }
}

/** Write slurm.conf into `dir` from the template and start `slurmctld -D -c`; resolves once it answers. */
export async function startSlurmctld(dir: string, programs: SlurmPrograms): Promise<Slurmctld> {
  const bins = requireSlurm()
  await mkdir(join(dir, 'state'), { recursive: true })
  await mkdir(join(dir, 'spool'), { recursive: true })
  const template = await readFile(join(import.meta.dir, 'slurm.conf.template'), 'utf8')
  const conf = join(dir, 'slurm.conf')
  const env = { SLURM_CONF: conf, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }
  const run = async (binary: string, args: string[]) => {
    const child = Bun.spawn([binary, ...args], {
      env,
      stdout: 'pipe',
      stderr: 'pipe',
      timeout: 15_000,
    })
    const [out, err, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ])
    if (code !== 0)
      throw new Error(`${binary} ${args.join(' ')} failed (exit ${code}): ${err}${out}`)
    return out
  }
  const log = () => readFile(join(dir, 'slurmctld.log'), 'utf8').catch(() => '')

  /**
   * Start slurmctld on ports free a moment ago; resolves once it answers, or with its output
   * when it exits first (e.g. its port was taken since it was found free).
   */
  const start = async () => {
    const values: Record<string, string> = {
      DIR: dir,
      PORT: String(await freePort()),
      SLURMD_PORT: String(await freePort()),
      USER: currentUser(),
      RESUME: programs.resume,
      SUSPEND: programs.suspend,
      RESUME_FAIL: programs.resumeFail,
    }
    await writeFile(
      conf,
      template.replace(/@([A-Z_]+)@/g, (_, key: string) => values[key] ?? `@${key}@`),
    )
    const daemon = Bun.spawn([bins.slurmctld, '-D', '-c', '-i', '-f', conf], {
      cwd: dir,
      env,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    })
    let stderr = ''
    void (async () => {
      for await (const chunk of daemon.stderr) stderr += new TextDecoder().decode(chunk)
    })()
    const deadline = Date.now() + 20_000
    for (;;) {
      if (daemon.exitCode !== null)
        return { exited: `slurmctld exited (${daemon.exitCode}):\n${stderr}\n${await log()}` }
      const ping = await run(bins.scontrol, ['ping']).catch(() => '')
      if (/is UP/.test(ping)) return { daemon }
      if (Date.now() > deadline) {
        daemon.kill('SIGKILL')
        throw new Error(`slurmctld did not answer within 20 s:\n${stderr}\n${await log()}`)
      }
      await Bun.sleep(200)
    }
  }
  // Three tries in all: a port found free may be taken before slurmctld binds it.
  let started = await start()
  for (let tries = 1; started.exited !== undefined && tries < 3; tries++) started = await start()
  const { daemon } = started
  if (daemon === undefined) throw new Error(started.exited)

  return {
    conf,
    scontrol: (...args) => run(bins.scontrol, args),
    sbatch: (...args) => run(bins.sbatch, args),
    log,
    async stop() {
      daemon.kill('SIGTERM')
      const killer = setTimeout(() => daemon.kill('SIGKILL'), 10_000)
      await daemon.exited
      clearTimeout(killer)
    },
  }
}

/** The user running the test, who must be SlurmUser; Bun's os.userInfo() says "unknown". */
function currentUser(): string {
  const id = Bun.spawnSync(['id', '-un'], { stdout: 'pipe', stderr: 'ignore' })
  const name = id.stdout.toString().trim()
  if (id.exitCode !== 0 || name === '')
    throw new Error('Cannot tell the current user: "id -un" failed')
  return name
}

/** A port nothing listens on right now (the kernel's choice, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}
