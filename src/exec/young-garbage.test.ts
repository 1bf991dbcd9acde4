import { expect, test } from 'bun:test'
import { RUNS_PER_COLLECTION, YoungGarbage } from './young-garbage.ts'

test('one minor collection every RUNS_PER_COLLECTION finished runs, none before', () => {
  let collections = 0
  const garbage = new YoungGarbage(() => collections++)
  for (let run = 1; run < RUNS_PER_COLLECTION; run++) garbage.runFinished()
  expect(collections).toBe(0)
  garbage.runFinished()
  expect(collections).toBe(1)
  for (let run = 0; run < 2 * RUNS_PER_COLLECTION; run++) garbage.runFinished()
  expect(collections).toBe(3)
})
