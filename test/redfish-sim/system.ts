/**
 * One simulated ComputerSystem: its resource as a GET shows it (shaped on DMTF's
 * public-rackmount1 mockup, trimmed to what power management touches), its ETag, and the
 * PATCH of `Boot` and the indicator with the checks a real service makes.
 */
import type { MessageKey } from './messages.ts'
import type { BmcConfig } from './options.ts'
import { Power, type Clock, type PowerState } from './power.ts'

/** Boot override settings, as in the ComputerSystem `Boot` object. */
export interface BootSettings {
  readonly BootSourceOverrideTarget: string
  readonly BootSourceOverrideEnabled: string
  readonly BootSourceOverrideMode: string
}

/** What a test sees of a system. */
export interface SystemSnapshot {
  readonly id: string
  readonly powerState: PowerState
  readonly boot: BootSettings
  /** LocationIndicatorActive, or IndicatorLED != Off on older services. */
  readonly indicatorActive: boolean
  readonly etag: string
}

/** A PATCH the service refuses: the status and the Base message to send. */
export class PatchRefused extends Error {
  constructor(
    readonly status: number,
    readonly key: MessageKey,
    readonly args: readonly string[],
  ) {
    super(key)
  }
}

/** A change a PATCH made, for the BMC's record. */
export type PatchChange =
  | { readonly type: 'boot'; readonly boot: Partial<BootSettings> }
  | {
      readonly type: 'indicator'
      readonly property: 'LocationIndicatorActive' | 'IndicatorLED'
      readonly value: boolean | string
    }

const ENABLED = ['Disabled', 'Once', 'Continuous']
const MODES = ['UEFI', 'Legacy']
const LEDS = ['Off', 'Lit', 'Blinking']
const READ_ONLY = new Set(['Id', 'Name', 'PowerState', 'Actions', 'Status', 'UUID', 'SystemType'])

export class ComputerSystem {
  readonly id: string
  readonly path: string
  readonly power: Power
  #boot: BootSettings = {
    BootSourceOverrideTarget: 'None',
    BootSourceOverrideEnabled: 'Disabled',
    BootSourceOverrideMode: 'UEFI',
  }
  #led: 'Off' | 'Lit' | 'Blinking' = 'Off'
  readonly #config: BmcConfig

  constructor(id: string, config: BmcConfig, clock: Clock) {
    this.id = id
    this.path = `/redfish/v1/Systems/${id}`
    this.#config = config
    this.power = new Power(config.power, config.transitionMs, clock)
  }

  get resetTarget(): string {
    return `${this.path}/Actions/ComputerSystem.Reset`
  }

  get actionInfoPath(): string {
    return `${this.path}/ResetActionInfo`
  }

  /** The resource and its ETag (a hash of the body, as bmcweb computes it). */
  render(): { body: Record<string, unknown>; etag: string } {
    const config = this.#config
    const reset: Record<string, unknown> = { target: this.resetTarget }
    if (config.resetInfo === 'AllowableValues')
      reset['ResetType@Redfish.AllowableValues'] = config.resetTypes
    if (config.resetInfo === 'ActionInfo') reset['@Redfish.ActionInfo'] = this.actionInfoPath
    const body: Record<string, unknown> = {
      '@odata.id': this.path,
      '@odata.type': '#ComputerSystem.v1_20_0.ComputerSystem',
      Id: this.id,
      Name: `System ${this.id}`,
      SystemType: 'Physical',
      Manufacturer: 'flight-power',
      Model: 'Redfish BMC simulator',
      SerialNumber: `${config.name}-${this.id}`,
      Status: { State: 'Enabled', Health: 'OK' },
      PowerState: this.power.state(),
      Boot: {
        ...this.#boot,
        'BootSourceOverrideTarget@Redfish.AllowableValues': config.bootTargets,
      },
      Actions: { '#ComputerSystem.Reset': reset },
      Links: { ManagedBy: [{ '@odata.id': '/redfish/v1/Managers/bmc' }] },
    }
    if (config.indicator !== 'IndicatorLED') body.LocationIndicatorActive = this.#led !== 'Off'
    if (config.indicator !== 'LocationIndicatorActive') body.IndicatorLED = this.#led
    const etag = `"${Bun.hash(JSON.stringify(body)).toString(16)}"`
    body['@odata.etag'] = etag
    return { body, etag }
  }

  snapshot(): SystemSnapshot {
    return {
      id: this.id,
      powerState: this.power.state(),
      boot: { ...this.#boot },
      indicatorActive: this.#led !== 'Off',
      etag: this.render().etag,
    }
  }

  /** Check a whole PATCH body, then apply it; throws `PatchRefused` and changes nothing. */
  patch(raw: unknown): PatchChange[] {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new PatchRefused(400, 'MalformedJSON', [])
    const body = raw as Record<string, unknown>
    const changes: PatchChange[] = []
    let boot: Partial<BootSettings> | undefined
    let led: 'Off' | 'Lit' | 'Blinking' | undefined
    for (const [key, value] of Object.entries(body)) {
      if (key === 'Boot') {
        boot = this.#checkBoot(value)
      } else if (key === 'LocationIndicatorActive' && this.#config.indicator !== 'IndicatorLED') {
        if (typeof value !== 'boolean')
          throw new PatchRefused(400, 'PropertyValueTypeError', [String(value), key])
        led = value ? 'Lit' : 'Off'
        changes.push({ type: 'indicator', property: key, value })
      } else if (key === 'IndicatorLED' && this.#config.indicator !== 'LocationIndicatorActive') {
        if (typeof value !== 'string' || !LEDS.includes(value))
          throw new PatchRefused(400, 'PropertyValueNotInList', [String(value), key])
        led = value as 'Off' | 'Lit' | 'Blinking'
        changes.push({ type: 'indicator', property: key, value })
      } else if (key.startsWith('@odata.')) {
        // Clients that echo annotations back are tolerated, as bmcweb does.
      } else if (READ_ONLY.has(key)) {
        throw new PatchRefused(400, 'PropertyNotWritable', [key])
      } else {
        throw new PatchRefused(400, 'PropertyUnknown', [key])
      }
    }
    if (boot !== undefined) {
      this.#boot = { ...this.#boot, ...boot }
      changes.unshift({ type: 'boot', boot })
    }
    if (led !== undefined) this.#led = led
    return changes
  }

  /** Set the indicator directly, for tests that arrange a scene. */
  setIndicator(active: boolean): void {
    this.#led = active ? 'Lit' : 'Off'
  }

  #checkBoot(value: unknown): Partial<BootSettings> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new PatchRefused(400, 'PropertyValueTypeError', [JSON.stringify(value), 'Boot'])
    const allowed: Record<string, readonly string[]> = {
      BootSourceOverrideTarget: this.#config.bootTargets,
      BootSourceOverrideEnabled: ENABLED,
      BootSourceOverrideMode: MODES,
    }
    const out: Record<string, string> = {}
    for (const [key, v] of Object.entries(value)) {
      const values = allowed[key]
      if (values === undefined) throw new PatchRefused(400, 'PropertyUnknown', [`Boot/${key}`])
      if (typeof v !== 'string' || !values.includes(v))
        throw new PatchRefused(400, 'PropertyValueNotInList', [String(v), key])
      out[key] = v
    }
    return out
  }
}
