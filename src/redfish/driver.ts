import { readFileSync } from 'node:fs'
import type { Attempt, Driver, Step } from '../engine/index.ts'
import { errorMessage, EXIT_TRY_AGAIN } from '../topology/index.ts'
import { carryOut } from './actions.ts'
import { Budget } from './budget.ts'
import { BmcConnection } from './connection.ts'
import { RedfishError } from './errors.ts'
import { bmcSettings, type BmcSettings } from './settings.ts'
import { resolveSystemPath } from './system.ts'

/** Where the driver writes what an administrator should know (a subset of the server's logger). */
export interface RedfishLog {
  warn(message: string): void
  debug(message: string): void
}

/** Options of `createRedfishDriver`. */
export interface RedfishDriverOptions {
  /** The server's environment, for `REDFISH_PASSWORD` (never logged). */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly logger: RedfishLog
}

/** The Redfish driver: a `Driver` with sessions to close at shutdown. */
export interface RedfishDriver extends Driver {
  /** Delete every session this driver opened; the server calls it when it stops. */
  close(): Promise<void>
  /** Sessions open now. */
  readonly sessions: number
}

/**
 * The built-in Redfish driver (SPEC §11): every script key of a `driver: redfish` platform
 * carried out over HTTPS, one session per BMC and account, reused by every step.
 */
export function createRedfishDriver(options: RedfishDriverOptions): RedfishDriver {
  if (typeof options?.logger?.warn !== 'function')
    throw new TypeError('createRedfishDriver: "logger" is required')
  if (typeof options.env !== 'object' || options.env === null)
    throw new TypeError('createRedfishDriver: "env" must be the server\'s environment')
  const connections = new Map<string, BmcConnection>()
  /** Resolved system paths, per connection and `redfish_system` setting. */
  const systems = new Map<string, string>()
  const caTexts = new Map<string, string>()

  function connection(settings: BmcSettings): BmcConnection {
    const id = [
      settings.host,
      settings.username,
      settings.password,
      settings.caFile ?? '',
      settings.insecure,
    ].join('\0')
    let found = connections.get(id)
    if (found) return found
    if (settings.insecure)
      options.logger.warn(
        `redfish: BMC "${settings.host}": certificate checks are off (redfish_insecure: true)`,
      )
    found = new BmcConnection({
      host: settings.host,
      username: settings.username,
      password: settings.password,
      trust: {
        insecure: settings.insecure,
        ...(settings.caFile ? { ca: caText(settings.caFile) } : {}),
      },
    })
    connections.set(id, found)
    return found
  }

  function caText(path: string): string {
    let text = caTexts.get(path)
    if (text === undefined) {
      try {
        text = readFileSync(path, 'utf8')
      } catch (error) {
        throw new RedfishError(
          'ERR_REDFISH_SETTINGS',
          `cannot read redfish_ca_file "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          { cause: error },
        )
      }
      caTexts.set(path, text)
    }
    return text
  }

  async function systemPath(bmc: BmcConnection, settings: BmcSettings, budget: Budget) {
    const id = `${settings.host}\0${settings.username}\0${settings.system ?? ''}`
    let path = systems.get(id)
    if (path === undefined) {
      path = await resolveSystemPath(bmc, settings.system, budget)
      systems.set(id, path)
    }
    return path
  }

  return {
    supports: () => true,
    async attempt(step: Step, signal?: AbortSignal): Promise<Attempt> {
      const started = performance.now()
      const durationMs = () => Math.round(performance.now() - started)
      const budget = new Budget({
        timeoutMs: step.timeoutMs,
        retries: step.platform.retries,
        ...(signal ? { signal } : {}),
      })
      try {
        const settings = bmcSettings(step, options.env)
        const bmc = connection(settings)
        const outcome = await carryOut(step.key, {
          bmc,
          systemPath: await systemPath(bmc, settings, budget),
          budget,
          params: step.env,
          offExitCode: step.platform.statusOffExitCode,
          cycleDelaySeconds: step.platform.cycleDelaySeconds,
        })
        return {
          exitCode: outcome.exitCode,
          timedOut: false,
          message: outcome.message,
          ...(outcome.exitCode === EXIT_TRY_AGAIN ? { how: 'redfish: not there yet' } : {}),
          durationMs: durationMs(),
        }
      } catch (caught) {
        const error =
          caught instanceof RedfishError
            ? caught
            : new RedfishError('ERR_REDFISH_REPLY', `unexpected error: ${errorMessage(caught)}`, {
                cause: caught,
              })
        return {
          exitCode: null,
          timedOut: error.code === 'ERR_REDFISH_TIMEOUT',
          message: error.message,
          how: `redfish: ${error.code}${error.status ? ` (HTTP ${error.status})` : ''}`,
          durationMs: durationMs(),
        }
      }
    },
    async close() {
      const open = [...connections.values()]
      connections.clear()
      await Promise.all(open.map((bmc) => bmc.close()))
    },
    get sessions() {
      let count = 0
      for (const bmc of connections.values()) if (bmc.hasSession) count++
      return count
    },
  }
}
