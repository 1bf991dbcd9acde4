import { expect, test } from 'bun:test'
import { counts } from './live-action.ts'

test('the live line: done/total and failures; the power-on rate only for actions that power on', () => {
  const progress = { done: 120, total: 2000, failed: 3, waitingForRate: 40 }
  expect(counts('power_on', progress)).toBe('120/2000, 3 failed, 40 waiting for the power-on rate')
  expect(counts('cycle', { ...progress, waitingForRate: 0 })).toBe(
    '120/2000, 3 failed, 0 waiting for the power-on rate',
  )
  expect(counts('status', progress)).toBe('120/2000, 3 failed')
  expect(counts('power_off', progress)).toBe('120/2000, 3 failed')
})
