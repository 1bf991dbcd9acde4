import { readFile } from 'node:fs/promises'
import { parseEnvFile } from './env-file.ts'
import { ConfigError } from './errors.ts'
import { LOG_LEVELS, type LogLevel } from './logger.ts'

/** The server config file unless `--config` names another. */
export const DEFAULT_CONFIG_PATH = '/opt/flight/etc/power-server.conf'
/** Where the server's topology lives unless its config says otherwise. */
export const DEFAULT_TOPOLOGY_PATH = '/opt/flight/etc/power-server/topology.yaml'
/** Secrets shorter than this refuse to start: a brute-forced secret forges power tokens. */
export const MIN_SECRET_BYTES = 16
/** Secrets shorter than this start with a warning. */
export const RECOMMENDED_SECRET_BYTES = 32

/** A validated server configuration. */
export interface ServerConfig {
  /** The file read, or undefined when only the environment was used. */
  readonly configFile: string | undefined
  /** HMAC key: the UTF-8 bytes of `jwt_shared_secret`, as power-server used it; empty when unset. */
  readonly secret: Uint8Array
  readonly topologyPath: string
  readonly port: number
  readonly bindAddress: string
  readonly workers: number
  readonly logLevel: LogLevel
  /** Seconds running actions get to finish after SIGTERM before they are killed. */
  readonly shutdownGraceSeconds: number
  /** Most nodes one request may name. */
  readonly maxTargets: number
  /** Seconds an idle connection is kept open; action requests are exempt while they run. */
  readonly idleTimeoutSeconds: number
  /** Scripts' working directory; undefined lets the runner choose (the system temp dir). */
  readonly workingDirectory: string | undefined
  /** Things worth a warning (unknown keys, short secret, skipped lines). */
  readonly warnings: readonly string[]
}

/** Keys the config file may hold, with their defaults (`undefined`: no default). */
const KEYS = {
  jwt_shared_secret: undefined,
  topology_config: DEFAULT_TOPOLOGY_PATH,
  port: '6302',
  bind_address: '0.0.0.0',
  num_worker_commands: '50',
  log_level: 'info',
  shutdown_grace_seconds: '30',
  max_targets: '10000',
  idle_timeout_seconds: '60',
  working_directory: undefined,
} as const satisfies Record<string, string | undefined>
type Key = keyof typeof KEYS

/** Where values come from, highest precedence first: flags, environment, file. */
export interface ConfigSources {
  /** `--config FILE`; a missing file is an error only when named explicitly. */
  readonly configFile?: string
  /** The process environment (variables named like the keys override the file). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Command-line overrides (`--port`, `--bind`). */
  readonly overrides?: Partial<Record<Key, string>>
}

/**
 * Read the server configuration: the `KEY=value` file (as systemd's EnvironmentFile reads it),
 * then environment variables of the same names, then flags. Throws ConfigError for bad values;
 * the secret's presence and length are checked by `requireSecret`, so `check` works without one.
 */
export async function loadServerConfig(sources: ConfigSources = {}): Promise<ServerConfig> {
  const warnings: string[] = []
  const path = sources.configFile ?? DEFAULT_CONFIG_PATH
  const values = new Map<Key, string>()
  let configFile: string | undefined = path
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' || sources.configFile !== undefined) {
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error)
      throw new ConfigError(`Cannot read server config "${path}": ${reason}`, { cause: error })
    }
    configFile = undefined
  }
  if (text !== undefined) {
    const parsed = parseEnvFile(text)
    for (const warning of parsed.warnings) warnings.push(`${path}: ${warning}`)
    for (const { key, value, line } of parsed.assignments) {
      if (key in KEYS) values.set(key as Key, value)
      else warnings.push(`${path}: line ${line}: unknown key "${key}": ignored`)
    }
  }
  const env = sources.env ?? process.env
  for (const key of Object.keys(KEYS) as Key[]) {
    const value = env[key]
    if (value !== undefined) values.set(key, value)
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {}) as [
    Key,
    string | undefined,
  ][]) {
    if (value !== undefined) values.set(key, value)
  }

  const get = (key: Key): string | undefined => values.get(key) ?? KEYS[key]
  const where = configFile ? ` (in "${configFile}" or the environment)` : ''
  const integer = (key: Key, min: number, max: number): number => {
    const raw = get(key) ?? ''
    const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN
    if (!(value >= min && value <= max)) {
      throw new ConfigError(
        `Invalid ${key} "${raw}"${where}: expected a whole number from ${min} to ${max}`,
      )
    }
    return value
  }
  const logLevel = (get('log_level') ?? 'info').trim().toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      `Invalid log_level "${logLevel}"${where}: expected one of ${LOG_LEVELS.join(', ')}`,
    )
  }
  const topologyPath = get('topology_config') || DEFAULT_TOPOLOGY_PATH
  const bindAddress = (get('bind_address') ?? '').trim()
  if (bindAddress === '')
    throw new ConfigError(`Invalid bind_address ""${where}: expected an address such as 0.0.0.0`)

  return Object.freeze({
    configFile,
    secret: new TextEncoder().encode(get('jwt_shared_secret') ?? ''),
    topologyPath,
    port: integer('port', 0, 65535),
    bindAddress,
    workers: integer('num_worker_commands', 1, 10_000),
    logLevel: logLevel as LogLevel,
    shutdownGraceSeconds: integer('shutdown_grace_seconds', 0, 3600),
    maxTargets: integer('max_targets', 1, 1_000_000),
    // Bun's idleTimeout tops out at 255 seconds.
    idleTimeoutSeconds: integer('idle_timeout_seconds', 1, 255),
    workingDirectory: get('working_directory') || undefined,
    warnings: Object.freeze(warnings),
  })
}

/**
 * The HMAC secret, checked: throws ConfigError when it is missing or shorter than 16 bytes;
 * returns a warning (or undefined) when it is shorter than 32.
 */
export function requireSecret(config: ServerConfig): { secret: Uint8Array; warning?: string } {
  const bytes = config.secret.length
  const where = config.configFile ? `"${config.configFile}"` : 'the environment'
  if (bytes === 0) {
    throw new ConfigError(
      `No jwt_shared_secret in ${where}: run "flight-power init" or set jwt_shared_secret in the server config`,
    )
  }
  if (bytes < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `The jwt_shared_secret in ${where} is too short: ${bytes} bytes, at least ${MIN_SECRET_BYTES} needed (run "flight-power init" on a fresh prefix for a random one)`,
    )
  }
  if (bytes < RECOMMENDED_SECRET_BYTES) {
    return {
      secret: config.secret,
      warning: `The jwt_shared_secret in ${where} is short (${bytes} bytes): use at least ${RECOMMENDED_SECRET_BYTES} random bytes`,
    }
  }
  return { secret: config.secret }
}
