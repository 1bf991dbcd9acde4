import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRunner } from './index.ts'
import { tempDir, within } from './testing.ts'

const dir = tempDir()
afterAll(() => dir.remove())

// Each run appends `start <id> <key> <ns>` and `end <id> <key> <ns>` to one shared log. A run
// given `together` waits after its start until that many runs have started, so runs the runner
// starts side by side overlap in the log however slowly a loaded machine starts their shells.
const LOGGED = `echo "start $id $key $(date +%s%N)" >> "$log"
until [ "$(grep -c '^start' "$log")" -ge "\${together:-0}" ]; do sleep 0.01; done
sleep "$pause"
echo "end $id $key $(date +%s%N)" >> "$log"`

// A run that ends only once `gate` exists, which the test creates when it is ready.
const GATED = `echo "start $id $key $(date +%s%N)" >> "$log"
until [ -e "$gate" ]; do sleep 0.01; done
echo "end $id $key $(date +%s%N)" >> "$log"`

interface Interval {
  id: string
  key: string
  start: bigint
  end: bigint
}

function readIntervals(log: string): Interval[] {
  const intervals = new Map<string, Interval>()
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [kind, id = '', key = '', ns = '0'] = line.split(' ')
    const interval = intervals.get(id) ?? { id, key, start: 0n, end: 0n }
    if (kind === 'start') interval.start = BigInt(ns)
    else interval.end = BigInt(ns)
    intervals.set(id, interval)
  }
  return [...intervals.values()]
}

function maxOverlap(intervals: readonly Interval[]): number {
  // Ends sort before starts at the same instant, so touching intervals do not count as overlap.
  const events = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ])
  events.sort((a, b) => (a.at === b.at ? a.delta - b.delta : a.at < b.at ? -1 : 1))
  let current = 0
  let max = 0
  for (const event of events) {
    current += event.delta
    max = Math.max(max, current)
  }
  return max
}

let logs = 0
function newLog(): string {
  return join(dir.path, `log-${++logs}`)
}

describe('global concurrency', () => {
  test('40 runs at concurrency 4 never exceed 4 at once, and do reach 4', async () => {
    const runner = createRunner({ concurrency: 4 })
    const log = newLog()
    const runs = Array.from({ length: 40 }, (_, i) =>
      runner.run({
        key: `node${i}`,
        script: LOGGED,
        // The first four start at once and wait for each other: the limit must let them.
        env: { id: String(i), key: `node${i}`, log, pause: '0.2', together: i < 4 ? '4' : '0' },
        timeoutMs: 30_000,
      }),
    )
    expect(runner.active).toBe(4)
    expect(runner.queued).toBe(36)
    const results = await Promise.all(runs)
    expect(results.every((result) => result.exitCode === 0)).toBe(true)
    const intervals = readIntervals(log)
    expect(intervals).toHaveLength(40)
    expect(maxOverlap(intervals)).toBe(4)
    expect(runner.active).toBe(0)
    expect(runner.queued).toBe(0)
  })

  test('the limit holds across separate callers sharing one runner', async () => {
    const runner = createRunner({ concurrency: 3 })
    const log = newLog()
    const caller = (name: string) =>
      Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          runner.run({
            key: `${name}-${i}`,
            script: LOGGED,
            env: {
              id: `${name}-${i}`,
              key: name,
              log,
              pause: '0.2',
              together: name === 'a' && i < 3 ? '3' : '0',
            },
            timeoutMs: 30_000,
          }),
        ),
      )
    await Promise.all([caller('a'), caller('b'), caller('c')])
    expect(maxOverlap(readIntervals(log))).toBe(3)
  })
})

describe('per-key serialisation', () => {
  test('runs with the same key never overlap, in FIFO order, while other keys run alongside', async () => {
    const runner = createRunner({ concurrency: 8 })
    const log = newLog()
    const runs = []
    for (let i = 0; i < 12; i++) {
      const key = i % 2 === 0 ? 'node-a' : 'node-b'
      runs.push(
        runner.run({
          key,
          script: LOGGED,
          env: { id: String(i), key, log, pause: '0.15', together: i < 2 ? '2' : '0' },
          timeoutMs: 30_000,
        }),
      )
    }
    expect(runner.active).toBe(2)
    expect(runner.queued).toBe(10)
    await Promise.all(runs)
    const intervals = readIntervals(log)
    for (const key of ['node-a', 'node-b']) {
      const mine = intervals.filter((i) => i.key === key)
      expect(mine).toHaveLength(6)
      expect(maxOverlap(mine)).toBe(1)
      const byStart = [...mine].sort((a, b) => (a.start < b.start ? -1 : 1))
      expect(byStart.map((i) => Number(i.id))).toEqual(
        mine.map((i) => Number(i.id)).sort((a, b) => a - b),
      )
    }
    // The two keys did run side by side.
    expect(maxOverlap(intervals)).toBe(2)
  })

  test('a busy key does not hold up other keys queued behind it', async () => {
    const runner = createRunner({ concurrency: 2 })
    const log = newLog()
    const gate = `${log}.gate`
    const slow = (id: string) => ({
      key: 'slow',
      script: GATED,
      env: { id, key: 'slow', log, gate },
      timeoutMs: 30_000,
    })
    const first = runner.run(slow('1'))
    const second = runner.run(slow('2'))
    const other = runner.run({
      key: 'other',
      script: LOGGED,
      env: { id: '3', key: 'other', log, pause: '0' },
      timeoutMs: 30_000,
    })
    expect(runner.active).toBe(2)
    // The first slow run cannot end before "other" has: if "other" waited for the slow key, it
    // would never finish here.
    try {
      expect(await within(other, 20_000)).toMatchObject({ exitCode: 0 })
    } finally {
      writeFileSync(gate, '')
    }
    await Promise.all([first, second])
    const intervals = readIntervals(log)
    const byId = new Map(intervals.map((i) => [i.id, i]))
    // "other" ran while the first slow run still held its key, not after the second one.
    expect(byId.get('3')!.end < byId.get('1')!.end).toBe(true)
    expect(byId.get('2')!.start > byId.get('1')!.end).toBe(true)
  })
})
