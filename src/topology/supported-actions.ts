import { ACTIONS, SCRIPT_KEY, type Action, type Platform } from './types.ts'

/**
 * The actions a platform's scripts can carry out: those with a script of their own, and
 * `cycle` where power_off, status and power_on can stand in for a missing power_cycle.
 */
export function supportedActions(platform: Platform): Action[] {
  // A built-in driver (Redfish) carries out every action the scripts leave to it.
  if (platform.driver !== undefined) return [...ACTIONS]
  const has = (action: Action) => platform.scripts[SCRIPT_KEY[action]] !== undefined
  return ACTIONS.filter(
    (action) =>
      has(action) || (action === 'cycle' && has('power_off') && has('status') && has('power_on')),
  )
}
