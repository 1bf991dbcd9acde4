import { describe, expect, test } from 'bun:test'
import { EXIT, exitCodeFor, interpretExit, type NodeOutcome, type PowerState } from './outcome.ts'
import { ACTIONS } from './types.ts'

describe('interpretExit: the exit-code semantics of SPEC §4', () => {
  // [exit code, status_off_exit_code, success, state] — null is "did not finish".
  const status: [number | null, number, boolean, PowerState][] = [
    [0, 111, true, 'on'],
    [111, 111, true, 'off'],
    [123, 123, true, 'off'],
    [111, 123, false, 'unknown'],
    [1, 111, false, 'unknown'],
    [75, 111, false, 'unknown'],
    [null, 111, false, 'unknown'],
  ]
  for (const [code, off, success, state] of status) {
    test(`status exit ${code} with off code ${off}: ${state}`, () => {
      expect(interpretExit('status', code, off)).toEqual({ success, state })
    })
  }

  for (const action of ACTIONS.filter((a) => a !== 'status')) {
    test(`${action}: only exit 0 succeeds, and no state is claimed`, () => {
      expect(interpretExit(action, 0, 111)).toEqual({ success: true })
      for (const code of [1, 111, 75, 255, null])
        expect(interpretExit(action, code, 111)).toEqual({ success: false })
    })
  }
})

describe('exitCodeFor: the client exit codes of SPEC §8', () => {
  const on: NodeOutcome = { missing: false, success: true, state: 'on' }
  const off: NodeOutcome = { missing: false, success: true, state: 'off' }
  const failed: NodeOutcome = { missing: false, success: false, state: 'unknown' }
  const missing: NodeOutcome = { missing: true, success: false }
  const cases: [string, Parameters<typeof exitCodeFor>[0], NodeOutcome[], number][] = [
    ['status, all on', 'status', [on, on], EXIT.ok],
    ['status, one off', 'status', [on, off], EXIT.off],
    ['status, one off and one failed', 'status', [off, failed], EXIT.failed],
    ['status, one missing', 'status', [on, missing], EXIT.failed],
    ['status, no nodes', 'status', [], EXIT.ok],
    ['power_on, all succeeded', 'power_on', [{ missing: false, success: true }], EXIT.ok],
    ['power_off, one failed', 'power_off', [{ missing: false, success: false }], EXIT.failed],
    ['power_off, off states are not 111', 'power_off', [off], EXIT.ok],
    ['cycle, one missing', 'cycle', [{ missing: false, success: true }, missing], EXIT.failed],
  ]
  for (const [title, action, outcomes, code] of cases) {
    test(title, () => expect(exitCodeFor(action, outcomes)).toBe(code))
  }
})
