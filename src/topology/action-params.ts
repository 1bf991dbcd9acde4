import type { Action } from './types.ts'
import { FlightPowerError } from './flight-power-error.ts'

/** Boot devices `bootdev` may set (SPEC §10): a fixed vocabulary, never free text. */
export const BOOT_DEVICES = ['pxe', 'disk', 'bios', 'cdrom', 'default'] as const
export type BootDevice = (typeof BOOT_DEVICES)[number]

/** Most seconds `shutdown --force-after` may wait: a day. */
export const MAX_FORCE_AFTER_SECONDS = 86_400

/** The parameters of one action; which ones apply depends on the action. */
export interface ActionParams {
  /** identify: light on or off. */
  readonly identify?: 'on' | 'off'
  /** bootdev: the next boot device, whether it persists, and UEFI rather than legacy boot. */
  readonly device?: BootDevice
  readonly persistent?: boolean
  readonly uefi?: boolean
  /** shutdown: seconds after which nodes still on are powered off hard. */
  readonly forceAfter?: number
}

/** A request body that does not fit its action; the message names the field. */
export class ActionParamsError extends FlightPowerError {
  static override code = 'ERR_ACTION_PARAMS'
}

/** The JSON body fields each action accepts (`POST /actions/{action}`). */
const FIELDS: Readonly<Record<Action, readonly string[]>> = {
  status: [],
  power_on: [],
  power_off: [],
  restart: [],
  cycle: [],
  shutdown: ['force_after'],
  identify: ['state'],
  bootdev: ['device', 'persistent', 'uefi'],
}

/**
 * Read an action's JSON body (`undefined` when there is none) into parameters. Unknown
 * fields and wrong values throw ActionParamsError, so a typo never runs with a default.
 */
export function parseActionParams(action: Action, body: unknown): ActionParams {
  if (body === undefined || body === null) body = {}
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ActionParamsError('The request body must be a JSON object')
  const fields = body as Record<string, unknown>
  const allowed = FIELDS[action]
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length > 0 ? `expected ${allowed.join(', ')}` : 'it takes none'
      throw new ActionParamsError(`Unknown field "${key}" for ${action}: ${expected}`)
    }
  }
  switch (action) {
    case 'identify': {
      const state = fields.state ?? 'on'
      if (state !== 'on' && state !== 'off')
        throw new ActionParamsError(`Invalid "state" ${JSON.stringify(state)}: expected on or off`)
      return { identify: state }
    }
    case 'bootdev': {
      const device = fields.device
      if (!BOOT_DEVICES.includes(device as BootDevice))
        throw new ActionParamsError(
          `Invalid "device" ${JSON.stringify(device)}: expected ${BOOT_DEVICES.join(', ')}`,
        )
      return {
        device: device as BootDevice,
        persistent: flag(fields, 'persistent'),
        uefi: flag(fields, 'uefi'),
      }
    }
    case 'shutdown': {
      const seconds = fields.force_after
      if (seconds === undefined) return {}
      if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= MAX_FORCE_AFTER_SECONDS))
        throw new ActionParamsError(
          `Invalid "force_after" ${JSON.stringify(seconds)}: expected seconds from 0 to ${MAX_FORCE_AFTER_SECONDS}`,
        )
      return { forceAfter: seconds }
    }
    default:
      return {}
  }
}

function flag(fields: Record<string, unknown>, key: string): boolean {
  const value = fields[key] ?? false
  if (typeof value !== 'boolean')
    throw new ActionParamsError(`Invalid "${key}" ${JSON.stringify(value)}: expected true or false`)
  return value
}

/** The JSON body the client sends for `params` (the inverse of `parseActionParams`). */
export function actionParamsBody(params: ActionParams): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (params.identify !== undefined) body.state = params.identify
  if (params.device !== undefined) body.device = params.device
  if (params.persistent !== undefined) body.persistent = params.persistent
  if (params.uefi !== undefined) body.uefi = params.uefi
  if (params.forceAfter !== undefined) body.force_after = params.forceAfter
  return body
}

/** How parameters reach scripts: environment variables with fixed names and values. */
export function actionParamsEnvironment(params: ActionParams): Record<string, string> {
  const env: Record<string, string> = {}
  if (params.identify !== undefined) env.FLIGHT_POWER_IDENTIFY = params.identify
  if (params.device !== undefined) {
    env.FLIGHT_POWER_BOOT_DEVICE = params.device
    env.FLIGHT_POWER_BOOT_PERSISTENT = params.persistent ? '1' : '0'
    env.FLIGHT_POWER_BOOT_UEFI = params.uefi ? '1' : '0'
  }
  return env
}
