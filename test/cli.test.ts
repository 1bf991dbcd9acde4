/**
 * The entry point as an administrator meets it: the built binary's --version, --help,
 * mistakes on the command line, and `check` on good and broken topologies.
 */
import { describe, expect, test } from 'bun:test'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pkg from '../package.json' with { type: 'json' }
import { repoRoot, runCli } from './harness.ts'

describe('the entry point', () => {
  test('--version prints the version alone', async () => {
    const result = await runCli(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout).toStartWith(`flight-power ${pkg.version}`)
    expect(result.stdout.trim().split('\n')).toHaveLength(1)
  })

  test('--help names every command; so does no command at all', async () => {
    for (const args of [['--help'], []]) {
      const result = await runCli(args)
      expect(result.code).toBe(0)
      for (const command of [
        'serve',
        'token',
        'init',
        'list',
        'status',
        'on',
        'off',
        'restart',
        'slurm',
        'check',
      ]) {
        expect(result.stdout).toContain(`  ${command} `)
      }
    }
  })

  test('an unknown command or option is a usage error, exit 2, one line', async () => {
    expect(await runCli(['stauts', 'node01'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'flight-power: Unknown command "stauts" (did you mean "status"?): see flight-power --help\n',
    })
    expect(await runCli(['--frob'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'flight-power: Unknown option "--frob": see flight-power --help\n',
    })
  })
})

describe('check', () => {
  test("power-server 1.0's topology passes unchanged: a summary, exit 0", async () => {
    const file = join(repoRoot, 'test/fixtures/power-server-1.0-topology.yaml')
    const result = await runCli(['check', file])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        `${file}: valid`,
        '  nodes:     3',
        '  platforms: 3 (ipmi, aws, azure)',
        '  groups:    1 (@all)',
        '  actions by platform:',
        '    ipmi: power_on, power_off, restart, status, cycle',
        '    aws: power_on, power_off, restart, status, cycle',
        '    azure: power_on, power_off, restart, status, cycle',
        '',
      ].join('\n'),
    )
  })

  test('a broken topology lists every error as file:line, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-'))
    const file = join(dir, 'topology.yaml')
    await writeFile(
      file,
      'static_nodes:\n  node01: { platform: ipmii }\nplatforms:\n  ipmi:\n    status: [exit, 0]\n',
    )
    const result = await runCli(['check', file])
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        // In line order (issue 15).
        `${file}:2: static_nodes.node01.platform: platform "ipmii" is not defined: did you mean "ipmi"?`,
        `${file}:5: platforms.ipmi.status: must be a string holding a bash script`,
        `2 errors in ${file}`,
        '',
      ].join('\n'),
    })
  })

  test('a missing file is exit 2 and says so', async () => {
    const result = await runCli(['check', '/nonexistent/topology.yaml'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      '/nonexistent/topology.yaml: no such file\n1 error in /nonexistent/topology.yaml\n',
    )
  })
})
