/**
 * `flight-power slurm …` as a process, without slurmctld: how the built binary (and
 * `bun bin/flight-power.ts`) behave with Slurm's empty environment and closed stdio when the
 * server is missing, refuses, or never answers. The log file must say what happened each time.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBinary, readIfExists, repoRoot, runCli } from './harness.ts'

let dir: string
let binary: string
let silent: ReturnType<typeof Bun.serve>

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flight-power-slurm-cli-'))
  binary = await buildBinary()
  // A server that accepts the request and never answers.
  silent = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    fetch: () => new Promise<Response>(() => {}),
  })
  await writeFile(join(dir, 'refused.yaml'), 'base_url: http://127.0.0.1:1\njwt_token: x\n')
  await writeFile(
    join(dir, 'silent.yaml'),
    `base_url: http://127.0.0.1:${silent.port}\njwt_token: x\n`,
  )
}, 60_000)
afterAll(() => silent?.stop(true))

/** Run argv as slurmctld would: `env -i` (plus `env`), stdin, stdout and stderr closed. */
async function runAsSlurm(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string; ms: number }> {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`)
  const started = Date.now()
  const shell = Bun.spawn(
    ['/bin/bash', '-c', 'env -i "$@" <&- >&- 2>&-; echo $?', 'bash', ...assignments, ...argv],
    {
      env: {},
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  const [out, err] = await Promise.all([
    new Response(shell.stdout).text(),
    new Response(shell.stderr).text(),
    shell.exited,
  ])
  return { code: Number(out.trim()), output: err, ms: Date.now() - started }
}

const slurm = (
  action: string,
  hostlist: string,
  config: string,
  log: string,
  ...more: string[]
) => [
  binary,
  'slurm',
  action,
  hostlist,
  '--config',
  join(dir, config),
  '--log',
  join(dir, log),
  ...more,
]

describe('flight-power slurm resume|suspend|resume-fail', () => {
  test('an unreachable server is logged, exit 3, nothing written to the closed stdio', async () => {
    const result = await runAsSlurm(
      slurm('suspend', 'gpu[1-2],node[02,04]', 'refused.yaml', 'refused.log'),
    )
    expect(result).toMatchObject({ code: 3, output: '' })
    const log = await readFile(join(dir, 'refused.log'), 'utf8')
    expect(log).toContain('suspend gpu[1-2],node[02,04]: 4 nodes')
    expect(log).toContain(
      'error: suspend gpu[1-2],node[02,04]: Cannot reach the power server at http://127.0.0.1:1: connection refused',
    )
    expect(log).toMatch(/suspend gpu\[1-2\],node\[02,04\]: exit 3 after/)
  })

  test('a server that never answers is given up on after --timeout', async () => {
    const result = await runAsSlurm(
      slurm('resume', 'node01', 'silent.yaml', 'silent.log', '--timeout', '1'),
    )
    expect(result.code).toBe(3)
    expect(result.ms).toBeLessThan(6000)
    expect(await readFile(join(dir, 'silent.log'), 'utf8')).toMatch(
      /error: resume node01: (gave up after 1\.0 s|The power server .* did not answer within 1s)/,
    )
  })

  test('a missing config is logged as such, exit 2', async () => {
    const result = await runAsSlurm(slurm('resume-fail', 'node01', 'absent.yaml', 'absent.log'))
    expect(result.code).toBe(2)
    expect(await readFile(join(dir, 'absent.log'), 'utf8')).toContain(
      `error: resume-fail node01: Cannot read client config "${join(dir, 'absent.yaml')}": no such file`,
    )
  })

  test('a resume file that never delivers costs a warning, not the call', async () => {
    const fifo = join(dir, 'resume.fifo')
    execFileSync('/usr/bin/mkfifo', [fifo])
    const result = await runAsSlurm(
      slurm('resume', 'node01', 'refused.yaml', 'fifo.log', '--timeout', '30'),
      { SLURM_RESUME_FILE: fifo },
    )
    expect(result.code).toBe(3)
    expect(result.ms).toBeLessThan(8000)
    const log = await readFile(join(dir, 'fifo.log'), 'utf8')
    expect(log).toContain(
      `warning: resume node01: cannot read SLURM_RESUME_FILE: "${fifo}" gave nothing within 2.0 s`,
    )
    expect(log).toContain('error: resume node01: Cannot reach the power server')
  })

  test('an unwritable log file still lets the call run', async () => {
    await writeFile(join(dir, 'plain-file'), '')
    const result = await runAsSlurm(
      slurm('resume', 'node01', 'refused.yaml', 'plain-file/slurm.log'),
    )
    expect(result.code).toBe(3)
  })
})

describe('flight-power slurm programs and usage', () => {
  test('under `bun bin/flight-power.ts` the programs run bun with the script, paths made absolute', async () => {
    const out = join(dir, 'bun-programs')
    const run = Bun.spawnSync(
      [
        process.execPath,
        join(repoRoot, 'bin/flight-power.ts'),
        'slurm',
        'programs',
        'bun-programs',
        '--config',
        'refused.yaml',
        '--log',
        'bun.log',
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    expect(run.exitCode).toBe(0)
    const program = await readFile(join(out, 'flight-power-suspend'), 'utf8')
    expect(program).toContain(
      `exec ${process.execPath} ${join(repoRoot, 'bin/flight-power.ts')} slurm suspend --config ${join(dir, 'refused.yaml')} --log ${join(dir, 'bun.log')} "$1"`,
    )
    const result = await runAsSlurm([join(out, 'flight-power-suspend'), 'node[01-02]'])
    expect(result.code).toBe(3)
    expect(await readIfExists(join(dir, 'bun.log'))).toContain(
      'error: suspend node[01-02]: Cannot reach the power server',
    )
  })

  test('programs refuses to overwrite a changed program without --force', async () => {
    const out = join(dir, 'refuse')
    expect((await runCli(['slurm', 'programs', out, '--config', '/etc/a.yaml'])).code).toBe(0)
    const changed = await runCli(['slurm', 'programs', out, '--config', '/etc/b.yaml'])
    expect(changed.code).toBe(2)
    expect(changed.stderr).toContain('use --force to replace')
    const forced = await runCli(['slurm', 'programs', out, '--config', '/etc/b.yaml', '--force'])
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain(`replaced ${join(out, 'flight-power-resume')}`)
    expect(forced.stderr).toContain('warning: "/etc/b.yaml" does not exist yet')
  })

  test('usage errors say what is expected, exit 2', async () => {
    const bogus = await runCli(['slurm', 'wake', 'node01'])
    expect(bogus).toMatchObject({ code: 2, stdout: '' })
    expect(bogus.stderr).toContain(
      'Unknown slurm command "wake": expected resume, suspend, resume-fail or programs',
    )
    const noDir = await runCli(['slurm', 'programs'])
    expect(noDir.code).toBe(2)
    expect(noDir.stderr).toContain('No directory given')
    const badTimeout = await runCli(['slurm', 'programs', join(dir, 'x'), '--timeout', 'soon'])
    expect(badTimeout.code).toBe(2)
  })
})
