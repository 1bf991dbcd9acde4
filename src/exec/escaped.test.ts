import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRunner } from './index.ts'
import { isAlive, readPids, readPidsOrNone, survivors, tempDir, within } from './testing.ts'

const dir = tempDir()
const strays: number[] = []
afterAll(() => {
  // Whatever a failing test left running goes with the suite, not with the machine.
  for (let i = 1; i <= files; i++) strays.push(...readPidsOrNone(join(dir.path, `pids-${i}`)))
  for (const pid of strays) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  dir.remove()
})

let files = 0
function pidFile(): string {
  return join(dir.path, `pids-${++files}`)
}

/** The escapee's pids, remembered so that afterAll can clean up after a failing test */
function escapees(path: string): number[] {
  const pids = readPids(path)
  strays.push(...pids)
  return pids
}

/**
 * A bash test that `pid` is `sleep 4703` itself, not `setsid` or bash on the way to it: in the
 * middle of an execve a process has no environment to read, so a run that ended then could
 * miss it (a window the reaper does not close; see reaper.ts).
 */
const isSleep = (pid: string) =>
  `[ "$(tr '\\0' ' ' < "/proc/${pid}/cmdline" 2>/dev/null)" = 'sleep 4703 ' ]`

// Bash waits until the escapee has left the group and become `sleep 4703`, so the run cannot end
// before there is something to escape: `setsid` calls setsid() and then execs the command.
const ESCAPED = `until ${isSleep('$!')}; do sleep 0.01; done; echo $! >> "$pids"`

describe('processes that left the group with setsid', () => {
  test('are gone when the script exits by itself', async () => {
    const runner = createRunner({ concurrency: 1 })
    const pids = pidFile()
    const result = await runner.run({
      key: 'node01',
      script: `setsid sleep 4703 >/dev/null 2>&1 & ${ESCAPED}; exit 0`,
      env: { pids },
      timeoutMs: 60_000,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    expect(await survivors(escapees(pids))).toEqual([])
  })

  test("are gone after `setsid bash -c '…' >/dev/null 2>&1 &`", async () => {
    const runner = createRunner({ concurrency: 1 })
    const pids = pidFile()
    const result = await runner.run({
      key: 'node01',
      script: `setsid bash -c 'sleep 4703' >/dev/null 2>&1 & ${ESCAPED}`,
      env: { pids },
      timeoutMs: 60_000,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    expect(await survivors(escapees(pids))).toEqual([])
  })

  test('holding stdout, they neither delay the result nor change its exit code', async () => {
    const runner = createRunner({ concurrency: 1 })
    const pids = pidFile()
    // The escapee keeps the script's stdout and stderr: bash is done, its pipes are not.
    const running = runner.run({
      key: 'node01',
      script: `setsid sleep 4703 & ${ESCAPED}; echo before-exit; exit 7`,
      env: { pids },
      timeoutMs: 600_000,
    })
    // Far below the run's timeout: today's runner waits for the timeout and then reports.
    const result = await within(running, 30_000)
    expect(result).toMatchObject({ exitCode: 7, timedOut: false, stdout: 'before-exit\n' })
    expect(result.error).toBeUndefined()
    expect(await survivors(escapees(pids))).toEqual([])
  }, 60_000)

  test('are gone after a timeout kill', async () => {
    const runner = createRunner({ concurrency: 1, killGraceMs: 200 })
    const pids = pidFile()
    const result = await runner.run({
      key: 'node01',
      script: `setsid sleep 4703 >/dev/null 2>&1 & ${ESCAPED}; echo started; sleep 1000`,
      env: { pids },
      timeoutMs: 2_000,
    })
    expect(result).toMatchObject({ exitCode: null, timedOut: true, stdout: 'started\n' })
    expect(await survivors(escapees(pids))).toEqual([])
  })

  test('are gone once killAll() has resolved', async () => {
    const runner = createRunner({ concurrency: 1, killGraceMs: 200 })
    const pids = pidFile()
    const running = runner.run({
      key: 'node01',
      script: `setsid sleep 4703 >/dev/null 2>&1 & ${ESCAPED}; sleep 1000`,
      env: { pids },
      timeoutMs: 600_000,
    })
    const until = Date.now() + 30_000
    while (readPidsOrNone(pids).length === 0 && Date.now() < until) await Bun.sleep(10)
    const [escapee] = escapees(pids)
    expect(escapee).toBeNumber()
    await runner.killAll()
    expect(await running).toMatchObject({ exitCode: null, error: 'Runner was shut down' })
    expect(await survivors([escapee!])).toEqual([])
  })

  test('a whole tree that left the group goes, children and grandchildren', async () => {
    const runner = createRunner({ concurrency: 1 })
    const pids = pidFile()
    // The escapee forks again and leaves its own children in yet another session.
    const tree = `setsid bash -c 'sleep 4703 & echo $! >> "$pids"; setsid sleep 4703 & echo $! >> "$pids"; echo $$ >> "$pids"; wait' >/dev/null 2>&1 &`
    const result = await runner.run({
      key: 'node01',
      script: `${tree} until [ "$(wc -l < "$pids" 2>/dev/null)" = 3 ]; do sleep 0.01; done
        for p in $(head -n 2 "$pids"); do until ${isSleep('$p')}; do sleep 0.01; done; done`,
      env: { pids },
      timeoutMs: 60_000,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    const pidsSeen = escapees(pids)
    expect(pidsSeen).toHaveLength(3)
    expect(await survivors(pidsSeen)).toEqual([])
  })
})

describe('the run marker', () => {
  test('reaches scripts as FLIGHT_RUN_ID, different for every run and not set by callers', async () => {
    const runner = createRunner({ concurrency: 2 })
    const run = () =>
      runner.run({
        key: 'node01',
        script: 'printf %s "$FLIGHT_RUN_ID"',
        env: { FLIGHT_RUN_ID: 'chosen-by-the-topology' },
        timeoutMs: 10_000,
      })
    const markers = (await Promise.all([run(), run(), run()])).map((result) => result.stdout)
    expect(new Set(markers).size).toBe(3)
    for (const marker of markers) {
      expect(marker).not.toContain('chosen-by-the-topology')
      // At least 128 random bits in some form: nothing a local user could guess.
      expect(marker.length).toBeGreaterThanOrEqual(32)
    }
  })

  test('only processes of our uid carrying exactly the marker are killed', async () => {
    const runner = createRunner({ concurrency: 1 })
    const markerFile = join(dir.path, 'marker')
    const gate = join(dir.path, 'gate')
    const running = runner.run({
      key: 'node01',
      script:
        'printf %s "$FLIGHT_RUN_ID" > "$out.tmp"; mv "$out.tmp" "$out"; until [ -e "$gate" ]; do sleep 0.01; done',
      env: { out: markerFile, gate },
      timeoutMs: 60_000,
    })
    const until = Date.now() + 30_000
    while (!(await Bun.file(markerFile).exists()) && Date.now() < until) await Bun.sleep(10)
    const marker = await Bun.file(markerFile).text()
    const sleep = Bun.which('sleep') ?? '/bin/sleep'
    const start = (env: Record<string, string>, prefix: string[] = []) => {
      const child = Bun.spawn([...prefix, sleep, '4704'], {
        env,
        stdio: ['ignore', 'ignore', 'ignore'],
      })
      strays.push(child.pid)
      return child.pid
    }
    // Started outside the runner, so only the marker can tie it to the run.
    const carrier = start({ FLIGHT_RUN_ID: marker })
    const decoys = [
      start({ FLIGHT_RUN_ID: `${marker}0` }),
      start({ FLIGHT_RUN_ID: marker.slice(0, -1) }),
      start({ FLIGHT_RUN_ID_COPY: marker }),
      start({ OTHER: `FLIGHT_RUN_ID=${marker}` }),
    ]
    if (process.getuid?.() === 0) {
      const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
      decoys.push(start({ FLIGHT_RUN_ID: marker }, nobody))
    }
    // setpriv changes uid and then execs: wait until every one of them is the sleep itself.
    const sleeping = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(sleep)
    while (![carrier, ...decoys].every(sleeping) && Date.now() < until) await Bun.sleep(10)
    await Bun.write(gate, '')
    expect(await running).toMatchObject({ exitCode: 0 })
    // The carrier's death shows a sweep for this run saw every process started above.
    expect(await survivors([carrier])).toEqual([])
    expect(decoys.filter((pid) => !isAlive(pid))).toEqual([])
  })
})
