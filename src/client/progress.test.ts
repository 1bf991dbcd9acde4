import { expect, test } from 'bun:test'
import { startProgress } from './progress.ts'

function stream(isTTY: boolean) {
  const writes: string[] = []
  return { isTTY, write: (text: string) => writes.push(text), writes }
}

test('nothing at all without a terminal', async () => {
  const out = stream(false)
  const progress = startProgress(() => 'Powering off node01', out, { delayMs: 0 })
  await Bun.sleep(30)
  progress.stop()
  expect(out.writes).toEqual([])
})

test('on a terminal: a spinner line after the delay, erased on stop', async () => {
  const out = stream(true)
  const progress = startProgress(() => 'Powering off node01', out, { delayMs: 10 })
  await Bun.sleep(40)
  progress.stop()
  expect(out.writes[0]).toBe('\r\u001b[K⠋ Powering off node01 (0s)')
  expect(out.writes.at(-1)).toBe('\r\u001b[K')
})

test('a quick operation never shows it', () => {
  const out = stream(true)
  startProgress(() => 'x', out).stop()
  expect(out.writes).toEqual([])
})
