import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createRunner } from './index.ts'
import { readPids, readPidsOrNone, survivors, tempDir, within } from './testing.ts'

const dir = tempDir()
afterAll(() => dir.remove())

let files = 0
function pidFile(): string {
  return join(dir.path, `pids-${++files}`)
}

// Timeouts long enough for bash to finish setting up (traps, children, pid files) on a loaded
// CI machine before the deadline, and bounds far beyond that but far short of the 1000 s sleeps.
const TIMEOUT_MS = 2_000
const SLACK_MS = 8_000

describe('timeouts kill the whole process group', () => {
  test('a hanging script is killed at its timeout with every background child', async () => {
    const runner = createRunner({ concurrency: 1, killGraceMs: 500 })
    const pids = pidFile()
    const result = await runner.run({
      key: 'node01',
      script:
        'sleep 1000 & echo $! >> "$pids"; sleep 1000 & echo $! >> "$pids"; echo $$ >> "$pids"; echo started; wait',
      env: { pids },
      timeoutMs: TIMEOUT_MS,
    })
    // 'started' and three pids: the script was fully set up when the deadline came.
    expect(result).toMatchObject({ exitCode: null, timedOut: true, stdout: 'started\n' })
    expect(readPids(pids)).toHaveLength(3)
    expect(result.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 10)
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 500 + SLACK_MS)
    expect(await survivors(readPids(pids))).toEqual([])
  })

  test('a group that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const runner = createRunner({ concurrency: 1, killGraceMs: 300 })
    const pids = pidFile()
    const result = await runner.run({
      key: 'node01',
      // The pids are written after the trap: two pids prove SIGTERM found it installed.
      script: `trap '' TERM; sleep 1000 & echo $! >> "$pids"; echo $$ >> "$pids"; while :; do sleep 0.05; done`,
      env: { pids },
      timeoutMs: TIMEOUT_MS,
    })
    expect(readPids(pids)).toHaveLength(2)
    expect(result).toMatchObject({ exitCode: null, timedOut: true, signal: 'SIGKILL' })
    expect(result.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS + 300 - 10)
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 300 + SLACK_MS)
    expect(await survivors(readPids(pids))).toEqual([])
  })

  test('a child holding the pipes open does not delay the result past the timeout', async () => {
    const runner = createRunner({ concurrency: 1, killGraceMs: 200 })
    const result = await runner.run({
      key: 'node01',
      script: 'sleep 1000 & sleep 1000',
      env: {},
      timeoutMs: 300,
    })
    expect(result).toMatchObject({ exitCode: null, timedOut: true })
    expect(result.durationMs).toBeLessThan(300 + 200 + SLACK_MS)
  })
})

describe('normal exits', () => {
  test('background children left behind by a finished script are killed', async () => {
    const runner = createRunner({ concurrency: 1 })
    const result = await runner.run({
      key: 'node01',
      script: 'sleep 1000 & echo $!',
      env: {},
      timeoutMs: 30_000,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, signal: null })
    // The child held stdout open: the run must not have waited for it, nor for the timeout.
    expect(result.durationMs).toBeLessThan(SLACK_MS)
    expect(await survivors([Number(result.stdout)])).toEqual([])
  })

  test('a process that escaped the group and shed the run marker cannot hold the run', async () => {
    const runner = createRunner({ concurrency: 1, pipeGraceMs: 200 })
    const pids = pidFile()
    // Out of the group and without the marker, nothing kills it: only the pipe grace ends the run.
    // It writes its pid only once it has left the group, so the exit cannot race it.
    const escape = `env -u FLIGHT_RUN_ID setsid bash -c 'echo $$ > "$pids"; exec sleep 1000' &`
    const running = runner.run({
      key: 'node01',
      script: `${escape} until [ -s "$pids" ]; do sleep 0.01; done; echo done; exit 7`,
      env: { pids },
      timeoutMs: 600_000,
    })
    try {
      expect(await within(running, 30_000)).toMatchObject({
        exitCode: 7,
        timedOut: false,
        stdout: 'done\n',
      })
    } finally {
      for (const pid of readPidsOrNone(pids)) process.kill(pid, 'SIGKILL')
    }
  }, 60_000)

  test('non-zero exits and signals are results, not exceptions', async () => {
    const runner = createRunner({ concurrency: 2 })
    const [failed, signalled] = await Promise.all([
      runner.run({ key: 'a', script: 'echo oops >&2; exit 111', env: {}, timeoutMs: 5_000 }),
      runner.run({ key: 'b', script: 'kill -USR1 $$', env: {}, timeoutMs: 5_000 }),
    ])
    expect(failed).toMatchObject({ exitCode: 111, signal: null, timedOut: false, stderr: 'oops\n' })
    expect(failed.error).toBeUndefined()
    expect(signalled).toMatchObject({ exitCode: null, signal: 'SIGUSR1', timedOut: false })
  })
})

describe('killAll', () => {
  test('kills running groups, resolves queued runs as not run, and refuses new runs', async () => {
    const runner = createRunner({ concurrency: 1, killGraceMs: 500 })
    const pids = pidFile()
    const running = runner.run({
      key: 'node01',
      script: 'sleep 1000 & echo $! >> "$pids"; echo $$ >> "$pids"; wait',
      env: { pids },
      timeoutMs: 60_000,
    })
    const queued = runner.run({ key: 'node02', script: 'exit 0', env: {}, timeoutMs: 60_000 })
    while (readPidsOrNone(pids).length < 2) await Bun.sleep(10)
    expect(runner.active).toBe(1)
    expect(runner.queued).toBe(1)

    await runner.killAll()
    expect(await running).toMatchObject({
      exitCode: null,
      timedOut: false,
      error: 'Runner was shut down',
    })
    expect(await queued).toMatchObject({ exitCode: null, error: 'Runner was shut down' })
    expect(runner.active).toBe(0)
    expect(runner.queued).toBe(0)
    expect(await survivors(readPids(pids))).toEqual([])
    const late = await runner.run({ key: 'node03', script: 'exit 0', env: {}, timeoutMs: 1_000 })
    expect(late).toMatchObject({ exitCode: null, error: 'Runner was shut down' })
  })
})
