import { describe, expect, test } from 'bun:test'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CliError, EXIT } from '../topology/index.ts'
import { runSlurmCall, type SlurmCall } from './call.ts'
import type { SlurmLog } from './slurm-log.ts'
import type { NodeReport, PowerRequest } from './types.ts'

/** A log that keeps its lines: `level message`, and which went to syslog. */
function memoryLog() {
  const lines: string[] = []
  const syslog: string[] = []
  const line = (level: string) => (message: string, options?: { syslog?: boolean }) => {
    lines.push(`${level} ${message}`)
    if (options?.syslog !== false && level !== 'detail') syslog.push(`${level} ${message}`)
  }
  const log: SlurmLog = {
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    detail: line('detail'),
    close: async () => {},
  }
  return { log, lines, syslog }
}

const ok = (name: string): NodeReport => ({
  name,
  missing: false,
  success: true,
  message: null,
  durationMs: 1500,
})
const call = (extra: Partial<SlurmCall> = {}): SlurmCall => ({
  action: 'resume',
  hostlist: 'gpu1,node[01-02]',
  timeoutMs: 5000,
  ...extra,
})

describe('runSlurmCall', () => {
  test('resume powers the hostlist on and logs the call, each node and a summary', async () => {
    const { log, lines, syslog } = memoryLog()
    const asked: string[] = []
    const power: PowerRequest = async (action, hostlist) => {
      asked.push(`${action} ${hostlist}`)
      return ['gpu1', 'node01', 'node02'].map(ok)
    }
    expect(await runSlurmCall(call(), { power, log })).toBe(EXIT.ok)
    expect(asked).toEqual(['power_on gpu1,node[01-02]'])
    expect(lines.slice(0, 5)).toEqual([
      'info resume gpu1,node[01-02]: 3 nodes',
      'detail resume gpu1: powered on in 1.5 s',
      'detail resume node01: powered on in 1.5 s',
      'detail resume node02: powered on in 1.5 s',
      'info resume gpu1,node[01-02]: powered on gpu1,node[01-02]',
    ])
    expect(lines[5]).toStartWith('detail resume gpu1,node[01-02]: exit 0 after')
    expect(syslog).toEqual([
      'info resume gpu1,node[01-02]: 3 nodes',
      'info resume gpu1,node[01-02]: powered on gpu1,node[01-02]',
    ])
  })

  test('suspend and resume-fail power off', async () => {
    for (const action of ['suspend', 'resume-fail'] as const) {
      const asked: string[] = []
      const power: PowerRequest = async (act) => {
        asked.push(act)
        return [ok('node01')]
      }
      const { log, lines } = memoryLog()
      expect(await runSlurmCall(call({ action, hostlist: 'node01' }), { power, log })).toBe(EXIT.ok)
      expect(asked).toEqual(['power_off'])
      expect(lines).toContain(`info ${action} node01: powered off node01`)
    }
  })

  test('failed, unknown and unanswered nodes are errors, and the exit code is 1', async () => {
    const { log, lines } = memoryLog()
    const power: PowerRequest = async () => [
      ok('node01'),
      {
        name: 'node02',
        missing: false,
        success: false,
        message: 'Error: Unable to establish IPMI v2 / RMCP+ session',
        durationMs: 10,
      },
      { name: 'gpu1', missing: true, success: false, message: null, durationMs: null },
    ]
    expect(await runSlurmCall(call({ hostlist: 'gpu1,node[01-03]' }), { power, log })).toBe(
      EXIT.failed,
    )
    expect(lines).toContain("error resume gpu1: not in the power server's topology")
    expect(lines).toContain(
      'error resume node02: failed: Error: Unable to establish IPMI v2 / RMCP+ session',
    )
    expect(lines).toContain('error resume node03: the server did not answer for it')
    expect(lines).toContain(
      'warn resume gpu1,node[01-03]: powered on node01; failed gpu1,node[02-03]',
    )
  })

  test('many failing nodes keep syslog to a bounded number of lines', async () => {
    const { log, syslog } = memoryLog()
    const power: PowerRequest = async () => []
    expect(await runSlurmCall(call({ hostlist: 'n[001-500]' }), { power, log })).toBe(EXIT.failed)
    expect(syslog.length).toBeLessThan(30)
  })

  test('a server error is logged with its exit code', async () => {
    const { log, lines } = memoryLog()
    const power: PowerRequest = async () => {
      throw new CliError('Cannot reach the power server at http://head1:6302: connection refused', {
        exitCode: EXIT.unreachable,
      })
    }
    expect(await runSlurmCall(call(), { power, log })).toBe(EXIT.unreachable)
    expect(lines).toContain(
      'error resume gpu1,node[01-02]: Cannot reach the power server at http://head1:6302: connection refused',
    )
  })

  test('a server that never answers is given up on at the deadline', async () => {
    const { log, lines } = memoryLog()
    const power: PowerRequest = () => new Promise(() => {})
    const started = Date.now()
    expect(await runSlurmCall(call({ timeoutMs: 200 }), { power, log })).toBe(EXIT.unreachable)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(lines).toContain(
      'error resume gpu1,node[01-02]: gave up after 0.2 s; the server may still be acting on the nodes',
    )
  })

  test('a bad or missing hostlist is logged and nothing is asked of the server', async () => {
    for (const hostlist of ['node[02-01]', '']) {
      const { log, lines } = memoryLog()
      let asked = false
      const power: PowerRequest = async () => {
        asked = true
        return []
      }
      expect(await runSlurmCall(call({ hostlist }), { power, log })).toBe(EXIT.usage)
      expect(asked).toBe(false)
      expect(lines.some((line) => line.startsWith('error resume'))).toBe(true)
    }
  })

  test("the resume file's job ids are logged; an unreadable one is a warning, not a failure", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-slurm-call-'))
    const file = join(dir, 'resume.json')
    await writeFile(
      file,
      JSON.stringify({
        jobs: [
          { job_id: 12, nodes: 'node[01-02]' },
          { job_id: 13, nodes: 'gpu1' },
        ],
        all_nodes: 'gpu1,node[01-02]',
      }),
    )
    const power: PowerRequest = async () => ['gpu1', 'node01', 'node02'].map(ok)

    const first = memoryLog()
    expect(await runSlurmCall(call({ resumeFile: file }), { power, log: first.log })).toBe(EXIT.ok)
    expect(first.lines[0]).toBe(
      'info resume gpu1,node[01-02]: 3 nodes, jobs 12 (node[01-02]), 13 (gpu1)',
    )

    const second = memoryLog()
    expect(
      await runSlurmCall(call({ resumeFile: join(dir, 'gone.json') }), { power, log: second.log }),
    ).toBe(EXIT.ok)
    expect(second.lines[0]).toStartWith(
      'warn resume gpu1,node[01-02]: cannot read SLURM_RESUME_FILE:',
    )
    expect(second.lines[1]).toBe('info resume gpu1,node[01-02]: 3 nodes')
  })
})
