import { expect, test } from 'bun:test'
import { startProgress } from './progress.ts'

function stream(isTTY: boolean) {
  const writes: string[] = []
  return { isTTY, write: (text: string) => writes.push(text), writes }
}

/** Polls `done` until it holds, failing after a deadline no loaded machine should reach */
async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`Condition not met within ${ms} ms`)
    await Bun.sleep(5)
  }
}

test('nothing at all without a terminal', async () => {
  const out = stream(false)
  const progress = startProgress(() => 'Powering off node01', out, { delayMs: 0 })
  // A terminal started after it, with the same delay, has drawn: any timer of the first has fired.
  const control = stream(true)
  const shown = startProgress(() => 'Powering off node01', control, { delayMs: 0 })
  await until(() => control.writes.length > 0)
  progress.stop()
  shown.stop()
  expect(out.writes).toEqual([])
})

test('on a terminal: a spinner line after the delay, erased on stop', async () => {
  const out = stream(true)
  const progress = startProgress(() => 'Powering off node01', out, { delayMs: 10 })
  await until(() => out.writes.length > 0)
  progress.stop()
  expect(out.writes[0]).toBe('\r\u001b[K⠋ Powering off node01 (0s)')
  expect(out.writes.at(-1)).toBe('\r\u001b[K')
})

test('a quick operation never shows it', () => {
  const out = stream(true)
  startProgress(() => 'x', out).stop()
  expect(out.writes).toEqual([])
})
