import { describe, expect, test } from 'bun:test'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSlurmLog } from './slurm-log.ts'
import type { Syslog } from './syslog.ts'

function fakeSyslog() {
  const sent: string[] = []
  const syslog: Syslog = {
    send: (severity, message) => void sent.push(`${severity} ${message}`),
    flush: async () => {},
  }
  return { syslog, sent }
}

const now = () => new Date('2026-11-24T15:36:17.172Z')

describe('openSlurmLog', () => {
  test('appends timestamped lines with the pid, creating the directory; detail stays out of syslog', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-slurm-log-'))
    const file = join(dir, 'var/log/flight-power/slurm.log')
    const { syslog, sent } = fakeSyslog()
    const log = openSlurmLog({ file, syslog, pid: 4242, now })
    log.info('resume node[01-02]: 2 nodes')
    log.detail('resume node01: powered on')
    log.error('resume node02: failed: no BMC')
    log.warn('resume node[01-02]: powered on node01; failed node02', { syslog: false })
    await log.close(100)
    expect(await readFile(file, 'utf8')).toBe(
      [
        '2026-11-24T15:36:17.172Z [4242] resume node[01-02]: 2 nodes',
        '2026-11-24T15:36:17.172Z [4242] resume node01: powered on',
        '2026-11-24T15:36:17.172Z [4242] error: resume node02: failed: no BMC',
        '2026-11-24T15:36:17.172Z [4242] warning: resume node[01-02]: powered on node01; failed node02',
        '',
      ].join('\n'),
    )
    expect(sent).toEqual(['info resume node[01-02]: 2 nodes', 'err resume node02: failed: no BMC'])
  })

  test('an unwritable file falls back to syslog only, saying why once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-slurm-log-'))
    await writeFile(join(dir, 'not-a-dir'), '')
    const { syslog, sent } = fakeSyslog()
    const log = openSlurmLog({ file: join(dir, 'not-a-dir/slurm.log'), syslog, pid: 1, now })
    log.info('suspend node01: 1 node')
    log.info('suspend node01: powered off node01')
    expect(sent).toHaveLength(3)
    expect(sent[0]).toStartWith(
      `warning cannot write log file "${join(dir, 'not-a-dir/slurm.log')}":`,
    )
    expect(sent[0]).toEndWith('; logging to syslog only')
    expect(sent.slice(1)).toEqual([
      'info suspend node01: 1 node',
      'info suspend node01: powered off node01',
    ])
  })

  test('echo shows every line, e.g. on a terminal', () => {
    const shown: string[] = []
    const log = openSlurmLog({
      file: '/dev/null',
      syslog: fakeSyslog().syslog,
      pid: 7,
      now,
      echo: (line) => shown.push(line),
    })
    log.detail('resume node01: powered on')
    expect(shown).toEqual(['2026-11-24T15:36:17.172Z [7] resume node01: powered on'])
  })
})
