import { describe, expect, test } from 'bun:test'
import { Reaper, RUN_MARKER } from './reaper.ts'
import { readPids, readPidsOrNone, survivors, tempDir } from './testing.ts'
import { join } from 'node:path'

describe('Reaper', () => {
  test('one /proc sweep serves every run that ended together', async () => {
    const reaper = new Reaper()
    const markers = Array.from({ length: 200 }, () => reaper.newMarker())
    expect(new Set(markers).size).toBe(200)
    await Promise.all(markers.map((marker) => reaper.reap(marker)))
    expect(reaper.sweeps).toBe(1)
  })

  test('reaping the same marker twice shares one sweep', async () => {
    const reaper = new Reaper()
    const marker = reaper.newMarker()
    await Promise.all([reaper.reap(marker), reaper.reap(marker)])
    expect(reaper.sweeps).toBe(1)
  })

  test('two reapers never hand out the same marker', () => {
    expect(new Reaper().newMarker()).not.toBe(new Reaper().newMarker())
  })

  test('kills every carrier, sweeping again while it still finds some', async () => {
    const dir = tempDir()
    try {
      const reaper = new Reaper()
      const marker = reaper.newMarker()
      const pids = join(dir.path, 'pids')
      const child = Bun.spawn(
        ['bash', '-c', 'sleep 4705 & echo $! >> "$pids"; sleep 4705 & echo $! >> "$pids"; wait'],
        {
          env: { PATH: process.env.PATH ?? '', pids, [RUN_MARKER]: marker },
          stdio: ['ignore', 'ignore', 'ignore'],
        },
      )
      const until = Date.now() + 30_000
      while (readPidsOrNone(pids).length < 2 && Date.now() < until) await Bun.sleep(10)
      const carriers = [child.pid, ...readPids(pids)]
      expect(carriers).toHaveLength(3)
      await reaper.reap(marker)
      // The first sweep killed something, so a second made sure nothing was forked meanwhile.
      expect(reaper.sweeps).toBeGreaterThanOrEqual(2)
      expect(await survivors(carriers)).toEqual([])
      expect(await child.exited).not.toBe(0)
    } finally {
      dir.remove()
    }
  })
})
