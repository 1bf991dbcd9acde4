import type { BuiltinDriver, Platform, ScriptKey } from '../topology/index.ts'
import type { Driver } from './driver.ts'
import { notRun } from './script-driver.ts'

/** Options of `createDriverSet`. */
export interface DriverSetOptions {
  /** Runs the platform's script for a key (SPEC §4). */
  readonly script: Driver
  /** Drivers built into the binary, by the name a platform's `driver:` gives. */
  readonly builtin?: Readonly<Partial<Record<BuiltinDriver, Driver>>>
}

/**
 * One driver over many, chosen per platform and key (SPEC §11): a platform's own script
 * wins, so scripts given beside `driver: redfish` override single actions; every other key
 * goes to the platform's built-in driver.
 */
export function createDriverSet(options: DriverSetOptions): Driver {
  if (typeof options.script?.attempt !== 'function')
    throw new TypeError('createDriverSet: "script" must be a driver')
  const builtin = options.builtin ?? {}
  const pick = (platform: Platform, key: ScriptKey): Driver | undefined =>
    platform.scripts[key] !== undefined || platform.driver === undefined
      ? options.script
      : builtin[platform.driver]
  return {
    supports: (platform, key) => pick(platform, key)?.supports(platform, key) ?? false,
    async attempt(step, signal) {
      const driver = pick(step.platform, step.key)
      if (driver) return driver.attempt(step, signal)
      return notRun(`driver "${step.platform.driver}" is not available in this process`)
    },
  }
}
