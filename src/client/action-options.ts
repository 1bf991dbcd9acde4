import {
  BOOT_DEVICES,
  cliText,
  MAX_FORCE_AFTER_SECONDS,
  type Action,
  type ActionParams,
  type BootDevice,
} from '../topology/index.ts'
import { TargetError } from './errors.ts'

/** The flags that become an action's parameters (SPEC §10). */
interface ActionFlags {
  readonly forceAfter?: unknown
  readonly off?: unknown
  readonly persistent?: unknown
  readonly uefi?: unknown
}

/** `shutdown --force-after S` and `identify --off` as parameters, checked before any request. */
export function actionParams(action: Action, flags: ActionFlags): ActionParams {
  if (action === 'identify') return { identify: flags.off === true ? 'off' : 'on' }
  if (action === 'shutdown' && flags.forceAfter !== undefined) {
    const text = (cliText(flags.forceAfter, '--force-after') ?? '').trim()
    const seconds = /^\d+$/.test(text) ? Number(text) : NaN
    if (!(seconds >= 0 && seconds <= MAX_FORCE_AFTER_SECONDS))
      throw new TargetError(
        `Invalid --force-after "${text}": expected whole seconds from 0 to ${MAX_FORCE_AFTER_SECONDS}`,
      )
    return { forceAfter: seconds }
  }
  return {}
}

/** `bootdev DEVICE [--persistent] [--uefi]`; a device outside the vocabulary is exit 2. */
export function bootdevParams(device: unknown, flags: ActionFlags): ActionParams {
  const name = (cliText(device, 'DEVICE') ?? '').trim().toLowerCase()
  if (!(BOOT_DEVICES as readonly string[]).includes(name))
    throw new TargetError(
      `Invalid boot device "${String(device)}": expected one of ${BOOT_DEVICES.join(', ')}`,
    )
  return {
    device: name as BootDevice,
    persistent: flags.persistent === true,
    uefi: flags.uefi === true,
  }
}
