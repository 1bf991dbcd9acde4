import { EXIT_TRY_AGAIN, type ScriptKey } from '../topology/index.ts'
import type { Budget } from './budget.ts'
import type { BmcConnection } from './connection.ts'
import { RedfishError } from './errors.ts'
import {
  allowedResetTypes,
  readSystem,
  resetTarget,
  strings,
  type SystemResource,
} from './system.ts'

/** What one key needs: the BMC, the node's system, the step's budget and parameters. */
export interface ActionContext {
  readonly bmc: BmcConnection
  readonly systemPath: string
  readonly budget: Budget
  /** The action's parameters as scripts see them (`FLIGHT_POWER_IDENTIFY`, …). */
  readonly params: Readonly<Record<string, string | undefined>>
  /** The platform's `status_off_exit_code`. */
  readonly offExitCode: number
  /** Seconds between off and on when PowerCycle is not allowed. */
  readonly cycleDelaySeconds: number
}

/** An action's end in the exit-code language of SPEC §4 (failures throw RedfishError). */
export interface Outcome {
  readonly exitCode: number
  readonly message: string | null
}

const DONE: Outcome = { exitCode: 0, message: null }
/** bootdev's vocabulary (SPEC §10) as BootSourceOverrideTarget values. */
export const BOOT_TARGET = {
  pxe: 'Pxe',
  disk: 'Hdd',
  bios: 'BiosSetup',
  cdrom: 'Cd',
  default: 'None',
} as const
/** Seconds between PowerState reads while a cycle waits for off. */
const POLL_MS = 1000

/** Carry out one script key on the node's system as SPEC §11 maps it. */
export async function carryOut(key: ScriptKey, context: ActionContext): Promise<Outcome> {
  switch (key) {
    case 'status':
      return status(context)
    case 'power_on':
      return reset(context, ['On', 'ForceOn'])
    case 'power_off':
      return reset(context, ['ForceOff'])
    case 'restart':
      return reset(context, ['ForceRestart'])
    case 'shutdown':
      return reset(context, ['GracefulShutdown'])
    case 'power_cycle':
      return cycle(context)
    case 'identify':
      return identify(context)
    case 'bootdev':
      return bootdev(context)
  }
}

/** PowerState: On is 0, Off the platform's off code, a transition 75 ("not there yet"). */
export function powerStateOutcome(state: unknown, offExitCode: number): Outcome {
  if (state === 'On') return DONE
  if (state === 'Off') return { exitCode: offExitCode, message: 'PowerState is Off' }
  if (state === 'PoweringOn' || state === 'PoweringOff')
    return { exitCode: EXIT_TRY_AGAIN, message: `PowerState is ${state}: not there yet` }
  throw new RedfishError(
    'ERR_REDFISH_REPLY',
    state === undefined
      ? 'the system has no PowerState'
      : `unknown PowerState ${JSON.stringify(state)}`,
  )
}

async function status(context: ActionContext): Promise<Outcome> {
  const system = await readSystem(context.bmc, context.systemPath, context.budget)
  return powerStateOutcome(system.body.PowerState, context.offExitCode)
}

/**
 * `ComputerSystem.Reset` with the first of `choices` the service allows (all of them when it
 * does not say); none allowed: a failure listing what is.
 */
async function reset(
  context: ActionContext,
  choices: readonly string[],
  known?: SystemResource,
): Promise<Outcome> {
  const { bmc, budget } = context
  const system = known ?? (await readSystem(bmc, context.systemPath, budget))
  const allowed = await allowedResetTypes(bmc, system, budget)
  const resetType = pickResetType(choices, allowed.values)
  if (resetType === undefined)
    throw new RedfishError(
      'ERR_REDFISH_UNSUPPORTED',
      `BMC "${bmc.host}" allows no ResetType ${choices.join(' or ')} (it allows ${allowed.values?.join(', ') || 'none'})`,
    )
  await bmc.request('POST', resetTarget(system), budget, { body: { ResetType: resetType } })
  return DONE
}

/** The first choice the allowed list holds; with no list, the first choice. */
export function pickResetType(
  choices: readonly string[],
  allowed: readonly string[] | undefined,
): string | undefined {
  return allowed === undefined ? choices[0] : choices.find((choice) => allowed.includes(choice))
}

/**
 * PowerCycle where the service allows it; else ForceOff, PowerState until Off (within the
 * step's timeout), the platform's `cycle_delay`, then On (or ForceOn).
 */
async function cycle(context: ActionContext): Promise<Outcome> {
  const { bmc, budget } = context
  const system = await readSystem(bmc, context.systemPath, budget)
  const allowed = await allowedResetTypes(bmc, system, budget)
  if (pickResetType(['PowerCycle'], allowed.values)) return reset(context, ['PowerCycle'], system)
  if (system.body.PowerState !== 'Off') {
    await reset(context, ['ForceOff'], system)
    for (;;) {
      const now = await readSystem(bmc, context.systemPath, budget)
      if (now.body.PowerState === 'Off') break
      await budget.sleep(POLL_MS, bmc.host)
    }
    await budget.sleep(context.cycleDelaySeconds * 1000, bmc.host)
  }
  return reset(context, ['On', 'ForceOn'])
}

/** LocationIndicatorActive (Redfish 2020.3+), else IndicatorLED Lit/Off on older services. */
async function identify(context: ActionContext): Promise<Outcome> {
  const on = context.params.FLIGHT_POWER_IDENTIFY !== 'off'
  return patchSystem(context, (system) => {
    if ('LocationIndicatorActive' in system.body) return { LocationIndicatorActive: on }
    if ('IndicatorLED' in system.body) return { IndicatorLED: on ? 'Lit' : 'Off' }
    throw new RedfishError(
      'ERR_REDFISH_UNSUPPORTED',
      `BMC "${context.bmc.host}": the system has neither LocationIndicatorActive nor IndicatorLED`,
    )
  })
}

/** The boot override: target, Once or Continuous, and UEFI or Legacy where the service has a mode. */
async function bootdev(context: ActionContext): Promise<Outcome> {
  const { params, bmc } = context
  const device = params.FLIGHT_POWER_BOOT_DEVICE as keyof typeof BOOT_TARGET | undefined
  const target = device === undefined ? undefined : BOOT_TARGET[device]
  if (target === undefined)
    throw new RedfishError('ERR_REDFISH_SETTINGS', `unknown boot device ${JSON.stringify(device)}`)
  return patchSystem(context, (system) => {
    const boot = system.body.Boot as Record<string, unknown> | undefined
    const targets = strings(boot?.['BootSourceOverrideTarget@Redfish.AllowableValues'])
    if (targets && !targets.includes(target))
      throw new RedfishError(
        'ERR_REDFISH_UNSUPPORTED',
        `BMC "${bmc.host}" offers no boot override target ${target} (it offers ${targets.join(', ')})`,
      )
    return {
      Boot: {
        BootSourceOverrideTarget: target,
        BootSourceOverrideEnabled:
          target === 'None'
            ? 'Disabled'
            : params.FLIGHT_POWER_BOOT_PERSISTENT === '1'
              ? 'Continuous'
              : 'Once',
        ...(boot && 'BootSourceOverrideMode' in boot && target !== 'None'
          ? { BootSourceOverrideMode: params.FLIGHT_POWER_BOOT_UEFI === '1' ? 'UEFI' : 'Legacy' }
          : {}),
      },
    }
  })
}

/**
 * PATCH the system with `If-Match` when it has an ETag. A 412 (someone else changed it
 * between our GET and PATCH) reads it again and tries once more, or as often as the
 * platform's retries allow.
 */
async function patchSystem(
  context: ActionContext,
  change: (system: SystemResource) => Record<string, unknown>,
): Promise<Outcome> {
  const { bmc, budget } = context
  for (let conflicts = 0; ; conflicts++) {
    const system = await readSystem(bmc, context.systemPath, budget)
    const body = change(system)
    try {
      await bmc.request('PATCH', system.path, budget, {
        body,
        ...(system.etag !== undefined ? { ifMatch: system.etag } : {}),
      })
      return DONE
    } catch (error) {
      const conflict = error instanceof RedfishError && error.status === 412
      if (!conflict || (conflicts >= 1 && !budget.takeRetry())) throw error
    }
  }
}
