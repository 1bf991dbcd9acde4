import { describe, expect, test } from 'bun:test'
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSyslog } from './syslog.ts'

/** A stand-in logger(1) that records its arguments, one call per line. */
async function fakeLogger(body: string): Promise<{ path: string; calls: () => Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'flight-power-syslog-'))
  const path = join(dir, 'logger')
  await writeFile(
    path,
    `#!/bin/sh\n${body}\nprintf '%s|' "$@" >> ${dir}/calls\necho >> ${dir}/calls\n`,
  )
  await chmod(path, 0o755)
  return { path, calls: () => readFile(join(dir, 'calls'), 'utf8').catch(() => '') }
}

describe('createSyslog', () => {
  test('runs logger with the tag, a daemon priority and the message as one argument', async () => {
    const logger = await fakeLogger('')
    const syslog = createSyslog({ tag: 'flight-power-slurm', loggerPath: logger.path })
    syslog.send('err', 'resume node01: failed: $(touch /tmp/pwned) "quoted"')
    await syslog.flush(5000)
    expect(await logger.calls()).toBe(
      '-t|flight-power-slurm|-p|daemon.err|--|resume node01: failed: $(touch /tmp/pwned) "quoted"|\n',
    )
  })

  test('no logger, or a failing one, is not an error', async () => {
    createSyslog({ tag: 't', loggerPath: null }).send('info', 'dropped')
    const missing = createSyslog({ tag: 't', loggerPath: '/nonexistent/logger' })
    missing.send('info', 'dropped')
    await missing.flush(1000)
    const failing = await fakeLogger(
      'echo "logger: socket /dev/log: No such file or directory" >&2; exit 1',
    )
    const syslog = createSyslog({ tag: 't', loggerPath: failing.path })
    syslog.send('info', 'dropped')
    await syslog.flush(5000)
  })

  test('a stuck logger is killed and flush returns on time', async () => {
    const stuck = await fakeLogger('exec sleep 30')
    const syslog = createSyslog({ tag: 't', loggerPath: stuck.path, timeoutMs: 200 })
    syslog.send('info', 'stuck')
    // Bounds far above the 200 ms that are due, far below the 30 s sleep and flush's own limit:
    // only a kill gets flush back in time, however loaded the machine.
    const started = Date.now()
    await syslog.flush(20_000)
    expect(Date.now() - started).toBeLessThan(10_000)

    const slow = createSyslog({ tag: 't', loggerPath: stuck.path, timeoutMs: 30_000 })
    slow.send('info', 'stuck')
    const again = Date.now()
    await slow.flush(200)
    expect(Date.now() - again).toBeLessThan(10_000)
  })
})
