import { readFile } from 'node:fs/promises'
import { Budget } from './budget.ts'
import { BmcConnection } from './connection.ts'
import { isRecord, RedfishError } from './errors.ts'
import {
  allowedResetTypes,
  readSystem,
  strings,
  systemMembers,
  type ResetTypeSource,
} from './system.ts'

/** What `probe` asks of one BMC. */
export interface ProbeOptions {
  readonly host: string
  readonly username: string
  readonly password: string
  readonly caFile?: string
  readonly insecure?: boolean
  readonly timeoutMs?: number
}

/** One system as `probe` found it. */
export interface ProbedSystem {
  readonly path: string
  readonly powerState: string | null
  readonly resetTypes: readonly string[] | null
  readonly resetTypesFrom: ResetTypeSource
  readonly bootTargets: readonly string[] | null
  readonly boot: Readonly<Record<string, string>>
  readonly indicator: 'LocationIndicatorActive' | 'IndicatorLED' | null
  readonly etag: boolean
}

/** What a BMC supports, for the administrator debugging it at 3 a.m. */
export interface ProbeReport {
  readonly host: string
  readonly redfishVersion: string | null
  readonly vendor: string | null
  readonly systems: readonly ProbedSystem[]
}

/** Read the service root, log in, and describe every system; the session is deleted after. */
export async function probe(options: ProbeOptions): Promise<ProbeReport> {
  let ca: string | undefined
  if (options.caFile !== undefined) {
    try {
      ca = await readFile(options.caFile, 'utf8')
    } catch (error) {
      throw new RedfishError(
        'ERR_REDFISH_SETTINGS',
        `cannot read CA file "${options.caFile}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      )
    }
  }
  const bmc = new BmcConnection({
    host: options.host,
    username: options.username,
    password: options.password,
    trust: { insecure: options.insecure === true, ...(ca !== undefined ? { ca } : {}) },
  })
  const budget = new Budget({ timeoutMs: options.timeoutMs ?? 30_000, retries: 2 })
  try {
    const root = (await bmc.request('GET', '/redfish/v1', budget)).body
    const systems: ProbedSystem[] = []
    for (const path of await systemMembers(bmc, budget)) {
      const system = await readSystem(bmc, path, budget)
      const allowed = await allowedResetTypes(bmc, system, budget)
      const boot = isRecord(system.body.Boot) ? system.body.Boot : {}
      systems.push({
        path,
        powerState: typeof system.body.PowerState === 'string' ? system.body.PowerState : null,
        resetTypes: allowed.values ?? null,
        resetTypesFrom: allowed.source,
        bootTargets: strings(boot['BootSourceOverrideTarget@Redfish.AllowableValues']) ?? null,
        boot: Object.fromEntries(
          ['BootSourceOverrideTarget', 'BootSourceOverrideEnabled', 'BootSourceOverrideMode']
            .filter((key) => typeof boot[key] === 'string')
            .map((key) => [key, boot[key] as string]),
        ),
        indicator:
          'LocationIndicatorActive' in system.body
            ? 'LocationIndicatorActive'
            : 'IndicatorLED' in system.body
              ? 'IndicatorLED'
              : null,
        etag: system.etag !== undefined,
      })
    }
    const text = (key: string) =>
      isRecord(root) && typeof root[key] === 'string' ? root[key] : null
    return {
      host: options.host,
      redfishVersion: text('RedfishVersion'),
      vendor: [text('Vendor'), text('Product')].filter((t) => t !== null).join(' ') || null,
      systems,
    }
  } finally {
    await bmc.close()
  }
}

/** The report as lines for a terminal. */
export function formatProbe(report: ProbeReport): string {
  const lines = [
    `BMC ${report.host}: Redfish ${report.redfishVersion ?? '(version not given)'}${report.vendor ? `, ${report.vendor}` : ''}`,
    `systems: ${report.systems.length}${report.systems.length > 1 ? ' (set redfish_system to one of them)' : ''}`,
  ]
  for (const system of report.systems) {
    const boot = system.boot
    lines.push(
      '',
      `${system.path}`,
      `  PowerState:     ${system.powerState ?? '(none)'}`,
      `  reset types:    ${system.resetTypes?.join(', ') ?? 'not advertised (any may be tried)'}${system.resetTypes ? ` (from ${system.resetTypesFrom})` : ''}`,
      `  boot targets:   ${system.bootTargets?.join(', ') ?? 'not advertised'}`,
      `  boot override:  ${boot.BootSourceOverrideTarget ?? '-'} (${[boot.BootSourceOverrideEnabled, boot.BootSourceOverrideMode].filter(Boolean).join(', ') || 'no details'})`,
      `  indicator:      ${system.indicator ?? 'none'}`,
      `  ETag:           ${system.etag ? 'yes (bootdev sends If-Match)' : 'no'}`,
    )
  }
  return `${lines.join('\n')}\n`
}
