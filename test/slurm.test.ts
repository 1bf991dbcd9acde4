/**
 * End-to-end: a real slurmctld runs the programs `flight-power slurm programs` wrote, which
 * power nodes through a real flight-power server whose nodes keep their state in files.
 * Slurm 22.05 calls the programs with one hostlist argument, an environment of SLURM_CONF
 * (and SLURM_RESUME_FILE), and stdout and stderr closed; the log is all that is left.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildBinary,
  readIfExists,
  runCli,
  startServer,
  type CliResult,
  type TestServer,
} from './harness.ts'
import { startSlurmctld, type Slurmctld } from './slurm/slurmctld.ts'
import { eventually } from './eventually.ts'

let dir: string
let server: TestServer
let ctld: Slurmctld
let programs: CliResult
const path = (name: string) => join(dir, name)
const logFile = () => path('slurm.log')

function topology(stateDir: string): string {
  return `
static_nodes:
${['node01', 'node02', 'node03', 'node04', 'gpu1', 'gpu2'].map((name) => `  ${name}: { platform: files, state_dir: ${stateDir} }`).join('\n')}
platforms:
  files:
    variables: [name, state_dir]
    status: test "$(cat "$state_dir/$name" 2>/dev/null)" = on || exit 111
    power_on: echo on > "$state_dir/$name"
    power_off: echo off > "$state_dir/$name"
    restart: echo on > "$state_dir/$name"
`
}

/** Node state as the fake platform keeps it: `on`, `off`, or '' when never touched. */
async function state(node: string): Promise<string> {
  return (await readIfExists(path(`nodes/${node}`))).trim()
}

/** Poll `check` until it holds; on timeout fail with what Slurm and flight-power logged. */
function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  return eventually(what, check, {
    timeoutMs,
    intervalMs: 100,
    detail: async () =>
      `--- slurm.log\n${await readIfExists(logFile())}\n--- slurmctld.log\n${await ctld.log()}`,
  })
}

const logged = (text: string, timeoutMs?: number) =>
  until(
    `the log to say "${text}"`,
    async () => (await readIfExists(logFile())).includes(text),
    timeoutMs,
  )
const states = (nodes: string[], want: string) =>
  until(`${nodes.join(',')} to be ${want}`, async () =>
    (await Promise.all(nodes.map(state))).every((got) => got === want),
  )

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flight-power-slurm-'))
  const [, started] = await Promise.all([
    buildBinary(),
    startServer({ topology: topology(path('nodes')) }),
  ])
  server = started
  await Bun.write(path('nodes/.keep'), '')
  // A config of its own, as a site would give SlurmUser: the server's URL and a power token.
  await writeFile(
    path('client.yaml'),
    `base_url: ${server.url}\njwt_token: ${server.powerToken}\n`,
    { mode: 0o600 },
  )
  programs = await runCli([
    'slurm',
    'programs',
    path('programs'),
    '--config',
    path('client.yaml'),
    '--log',
    logFile(),
    '--timeout',
    '60',
  ])
  ctld = await startSlurmctld(path('slurm'), {
    resume: path('programs/flight-power-resume'),
    suspend: path('programs/flight-power-suspend'),
    resumeFail: path('programs/flight-power-resume-fail'),
  })
}, 60_000)

afterAll(async () => {
  await ctld?.stop()
  await server?.stop()
})

describe('flight-power as Slurm power saving programs', () => {
  test('programs writes three executables Slurm accepts and prints the slurm.conf lines', async () => {
    expect(programs.code).toBe(0)
    for (const [setting, name] of [
      ['ResumeProgram', 'flight-power-resume'],
      ['SuspendProgram', 'flight-power-suspend'],
      ['ResumeFailProgram', 'flight-power-resume-fail'],
    ]) {
      expect(programs.stdout).toContain(`${setting}=${path(`programs/${name}`)}`)
      expect((await stat(path(`programs/${name}`))).mode & 0o777).toBe(0o755)
    }
    const resume = await Bun.file(path('programs/flight-power-resume')).text()
    expect(resume).toStartWith('#!/bin/sh\n')
    expect(resume).toContain(
      `exec ${await buildBinary()} slurm resume --config ${path('client.yaml')} --log ${logFile()} --timeout 60 "$1"`,
    )
  })

  test('power_up and power_down_force of a multi-prefix hostlist reach the nodes', async () => {
    await ctld.scontrol('update', 'nodename=node[01-02],gpu1', 'state=power_up')
    await states(['node01', 'node02', 'gpu1'], 'on')
    await logged('resume gpu1,node[01-02]: 3 nodes, no jobs')
    await logged('resume gpu1,node[01-02]: powered on gpu1,node[01-02]')
    expect(await state('node03')).toBe('')

    await ctld.scontrol('update', 'nodename=node[01-02],gpu1', 'state=power_down_force')
    await states(['node01', 'node02', 'gpu1'], 'off')
    await logged('suspend gpu1,node[01-02]: powered off gpu1,node[01-02]')
  }, 30_000)

  // Its limit is above the sum of its waits: sbatch 15 s, then 15 + 15 + 25 + 15 s.
  test("a job's node is resumed with its job id, then powered off when it never registers", async () => {
    const submitted = await ctld.sbatch(
      '--nodelist=gpu2',
      '--nodes=1',
      '--output=/dev/null',
      `--chdir=${dir}`,
      '--wrap=true',
    )
    const jobId = /Submitted batch job (\d+)/.exec(submitted)?.[1]
    expect(jobId).toBeDefined()
    await logged(`resume gpu2: 1 node, job ${jobId} (gpu2)`)
    await states(['gpu2'], 'on')
    // No slurmd will ever register gpu2: after ResumeTimeout (8 s) Slurm calls ResumeFailProgram,
    // some 11 s after the allocation, later on a loaded machine.
    await logged('resume-fail gpu2: powered off gpu2', 25_000)
    await states(['gpu2'], 'off')
  }, 100_000)

  test('a program run with an empty environment and closed stdio still works and logs', async () => {
    const resumeFile = path('resume.json')
    await writeFile(
      resumeFile,
      JSON.stringify({ jobs: [{ job_id: 77, nodes: 'node[03-04]' }], all_nodes: 'node[03-04]' }),
    )
    const shell = Bun.spawn(
      [
        '/bin/bash',
        '-c',
        'env -i SLURM_RESUME_FILE="$2" "$1" "node[03-04]" <&- >&- 2>&-; echo "exit $?"',
        'bash',
        path('programs/flight-power-resume'),
        resumeFile,
      ],
      { stdout: 'pipe', stderr: 'pipe', env: {} },
    )
    const [out, err] = await Promise.all([
      new Response(shell.stdout).text(),
      new Response(shell.stderr).text(),
      shell.exited,
    ])
    expect({ out, err }).toEqual({ out: 'exit 0\n', err: '' })
    expect([await state('node03'), await state('node04')]).toEqual(['on', 'on'])
    await logged('resume node[03-04]: 2 nodes, job 77 (node[03-04])')
    await logged('resume node[03-04]: powered on node[03-04]')
  }, 30_000)
})
