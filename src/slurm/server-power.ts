import { ACTION_ROUTE, createRequest, parseCommandResults, resolveConfig } from '../client/index.ts'
import type { PowerRequest } from './types.ts'

/** Options of `serverPower`. */
export interface ServerPowerOptions {
  /** The client config file, by absolute path: the only source of URL and token. */
  readonly configFile: string
  /** Budget of the HTTP request, in milliseconds. */
  readonly timeoutMs: number
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch
}

/**
 * Power requests through the client's own config parsing and HTTP error handling, reading
 * exactly one file. Slurm runs its programs with no HOME and no environment worth trusting,
 * and a per-user config or a stray FLIGHT_POWER_URL must not redirect a cluster's power
 * saving, so the client's other sources are switched off.
 */
export function serverPower(options: ServerPowerOptions): PowerRequest {
  return async function power(action, hostlist) {
    const config = await resolveConfig(
      { config: options.configFile, timeout: Math.max(options.timeoutMs, 1) / 1000 },
      // A named config is the only file read; an empty env switches off the rest.
      { env: {} },
    )
    const request = createRequest(config, { fetch: options.fetch })
    const results = parseCommandResults(
      await request(ACTION_ROUTE[action].method, ACTION_ROUTE[action].path, { nodes: hostlist }),
      action,
    )
    return results.map((result) => ({
      name: result.name,
      missing: result.missing,
      success: result.success,
      message: result.message,
      durationMs: result.durationMs,
    }))
  }
}
