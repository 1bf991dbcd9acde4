/**
 * The knobs of one simulated BMC, checked once: `startSimulator` and the CLI's JSON config
 * both enter here as `unknown` and leave as a read-only `BmcConfig`.
 */

/** Every ResetType of the ComputerSystem schema. */
export const RESET_TYPES = [
  'On',
  'ForceOff',
  'GracefulShutdown',
  'GracefulRestart',
  'ForceRestart',
  'Nmi',
  'ForceOn',
  'PushPowerButton',
  'PowerCycle',
] as const
export type ResetType = (typeof RESET_TYPES)[number]

/** BootSourceOverrideTarget values a typical server offers (the DMTF mockup's list). */
export const BOOT_TARGETS = [
  'None',
  'Pxe',
  'Cd',
  'Usb',
  'Hdd',
  'BiosSetup',
  'Utilities',
  'Diags',
  'UefiTarget',
] as const

/** How the allowed ResetType values are advertised. */
export type ResetInfoStyle = 'AllowableValues' | 'ActionInfo' | 'none'

/** Which indicator property the ComputerSystem carries. */
export type IndicatorStyle = 'LocationIndicatorActive' | 'IndicatorLED' | 'both'

/** What one simulated BMC does; every field is optional. */
export interface BmcOptions {
  /** A name for the record and the control API; default `bmc<index>`. */
  name?: string
  /** Account accepted by Basic auth and by SessionService; default admin / password. */
  username?: string
  password?: string
  /** Ids of the ComputerSystems (default `['1']`); a number n means ids 1..n. */
  systems?: number | readonly string[]
  /** PowerState of every system at start; default `Off`. */
  power?: 'On' | 'Off'
  /** ResetType values the service allows; default all nine. */
  resetTypes?: readonly ResetType[]
  /** Where the allowed values are advertised; default `AllowableValues`. */
  resetInfo?: ResetInfoStyle
  /** BootSourceOverrideTarget values allowed; default `BOOT_TARGETS`. */
  bootTargets?: readonly string[]
  /** Milliseconds a power change spends in PoweringOn / PoweringOff; default 0 (instant). */
  transitionMs?: number
  /** Answer the first N requests with 503 and `Retry-After`; default 0. */
  unavailable?: number
  /** Seconds sent in `Retry-After` with those 503s; default 1. */
  retryAfter?: number
  /** Accept TCP connections and never answer; default false. */
  silent?: boolean
  /** `LocationIndicatorActive` (default, Redfish 2020.3+), `IndicatorLED` (older) or both. */
  indicator?: IndicatorStyle
  /** The "OS" ignores GracefulShutdown / GracefulRestart / a short PushPowerButton. */
  ignoreGraceful?: boolean
  /** The first N PATCHes carrying `If-Match` find the resource changed by someone else (412). */
  etagConflicts?: number
  /** PATCH without `If-Match` is refused with 428 PreconditionRequired; default false. */
  requireIfMatch?: boolean
}

/** A BMC's options after checking, with every default filled in. */
export interface BmcConfig {
  readonly name: string
  readonly username: string
  readonly password: string
  readonly systems: readonly string[]
  readonly power: 'On' | 'Off'
  readonly resetTypes: readonly ResetType[]
  readonly resetInfo: ResetInfoStyle
  readonly bootTargets: readonly string[]
  readonly transitionMs: number
  readonly unavailable: number
  readonly retryAfter: number
  readonly silent: boolean
  readonly indicator: IndicatorStyle
  readonly ignoreGraceful: boolean
  readonly etagConflicts: number
  readonly requireIfMatch: boolean
}

/** A bad simulator option or a failure to start; `code` is stable. */
export class SimulatorError extends Error {
  readonly code: 'ERR_SIM_OPTIONS' | 'ERR_SIM_TLS' | 'ERR_SIM_START'
  constructor(code: SimulatorError['code'], message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SimulatorError'
    this.code = code
  }
}

const KNOWN = new Set([
  'name',
  'username',
  'password',
  'systems',
  'power',
  'resetTypes',
  'resetInfo',
  'bootTargets',
  'transitionMs',
  'unavailable',
  'retryAfter',
  'silent',
  'indicator',
  'ignoreGraceful',
  'etagConflicts',
  'requireIfMatch',
])

/** Check one BMC's options; `where` names it in messages, e.g. `bmcs[3]`. */
export function resolveBmc(raw: unknown, where: string, index: number): BmcConfig {
  if (raw === undefined) raw = {}
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(`${where}: expected an object, got ${show(raw)}`)
  const o = raw as Record<string, unknown>
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) fail(`${where}: unknown option "${key}"`)
  const field = `${where}.`
  return {
    name: text(o.name, `${field}name`) ?? `bmc${index}`,
    username: text(o.username, `${field}username`) ?? 'admin',
    password: text(o.password, `${field}password`) ?? 'password',
    systems: systemIds(o.systems, `${field}systems`),
    power: oneOf(o.power, ['On', 'Off'] as const, `${field}power`) ?? 'Off',
    resetTypes: list(o.resetTypes, RESET_TYPES, `${field}resetTypes`) ?? RESET_TYPES,
    resetInfo:
      oneOf(o.resetInfo, ['AllowableValues', 'ActionInfo', 'none'] as const, `${field}resetInfo`) ??
      'AllowableValues',
    bootTargets: list(o.bootTargets, BOOT_TARGETS, `${field}bootTargets`) ?? BOOT_TARGETS,
    transitionMs: count(o.transitionMs, `${field}transitionMs`) ?? 0,
    unavailable: count(o.unavailable, `${field}unavailable`) ?? 0,
    retryAfter: count(o.retryAfter, `${field}retryAfter`) ?? 1,
    silent: flag(o.silent, `${field}silent`) ?? false,
    indicator:
      oneOf(
        o.indicator,
        ['LocationIndicatorActive', 'IndicatorLED', 'both'] as const,
        `${field}indicator`,
      ) ?? 'LocationIndicatorActive',
    ignoreGraceful: flag(o.ignoreGraceful, `${field}ignoreGraceful`) ?? false,
    etagConflicts: count(o.etagConflicts, `${field}etagConflicts`) ?? 0,
    requireIfMatch: flag(o.requireIfMatch, `${field}requireIfMatch`) ?? false,
  }
}

function fail(detail: string): never {
  throw new SimulatorError('ERR_SIM_OPTIONS', `Cannot start Redfish simulator: ${detail}`)
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value)
}

function text(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '')
    fail(`${where}: expected a non-empty string, got ${show(value)}`)
  return value
}

function flag(value: unknown, where: string): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') fail(`${where}: expected true or false, got ${show(value)}`)
  return value
}

function count(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    fail(`${where}: expected a whole number >= 0, got ${show(value)}`)
  return value
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string) {
  if (value === undefined) return undefined
  if (!allowed.includes(value as T))
    fail(`${where}: expected one of ${allowed.join(', ')}, got ${show(value)}`)
  return value as T
}

function list<T extends string>(value: unknown, allowed: readonly T[], where: string) {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length === 0)
    fail(`${where}: expected a non-empty list, got ${show(value)}`)
  value.forEach((item, i) => oneOf(item, allowed, `${where}[${i}]`))
  return value as T[]
}

function systemIds(value: unknown, where: string): readonly string[] {
  if (value === undefined) return ['1']
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1)
      fail(`${where}: expected a whole number >= 1 or a list of ids, got ${show(value)}`)
    return Array.from({ length: value }, (_, i) => String(i + 1))
  }
  if (!Array.isArray(value) || value.length === 0)
    fail(`${where}: expected a whole number >= 1 or a list of ids, got ${show(value)}`)
  value.forEach((id, i) => {
    if (typeof id !== 'string' || !/^[A-Za-z0-9._-]+$/.test(id))
      fail(`${where}[${i}]: expected an id of letters, digits, ".", "_" or "-", got ${show(id)}`)
  })
  if (new Set(value).size !== value.length) fail(`${where}: ids must be distinct`)
  return value as string[]
}
