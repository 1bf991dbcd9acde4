import type { Stats } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileErrorWords, nearest, readLimited } from '../../topology/index.ts'
import { parseEnvFile } from './env-file.ts'
import { ServerConfigError } from './errors.ts'
import { LOG_LEVELS, type LogLevel } from '../logger.ts'

/** The server config file unless `--config` names another. */
export const DEFAULT_CONFIG_PATH = '/opt/flight/etc/power-server.conf'
/** Where the server's topology lives unless its config says otherwise. */
export const DEFAULT_TOPOLOGY_PATH = '/opt/flight/etc/power-server/topology.yaml'
/** Secrets shorter than this refuse to start: a brute-forced secret forges power tokens. */
export const MIN_SECRET_BYTES = 32

/** A validated server configuration. */
export interface ServerConfig {
  /** The file read, or undefined when only the environment was used. */
  readonly configFile: string | undefined
  /** The file looked for: `configFile`, or the default path when that did not exist. */
  readonly configPath: string
  /** HMAC key: the UTF-8 bytes of `jwt_shared_secret`, as power-server used it; empty when unset. */
  readonly secret: Uint8Array
  readonly topologyPath: string
  readonly port: number
  readonly bindAddress: string
  readonly workers: number
  /** Nodes per minute that on, restart and cycle may start across all clients; 0: no limit. */
  readonly powerOnRate: number
  readonly logLevel: LogLevel
  /** Seconds running actions get to finish after SIGTERM before they are killed. */
  readonly shutdownGraceSeconds: number
  /** Most nodes one request may name. */
  readonly maxTargets: number
  /** Seconds an idle connection is kept open; action requests are exempt while they run. */
  readonly idleTimeoutSeconds: number
  /** Seconds between background status rounds refreshing the last known state; 0: off. */
  readonly statePollSeconds: number
  /** Scripts' working directory; undefined lets the runner choose (the system temp dir). */
  readonly workingDirectory: string | undefined
  /**
   * The key `workingDirectory` came from: power-server 1.0's `scripts_dir` stands in when
   * `working_directory` is not set.
   */
  readonly workingDirectoryKey: 'working_directory' | 'scripts_dir' | undefined
  /**
   * The config file's other `KEY=value` lines, in file order: passed to platform scripts as
   * environment variables (as systemd's EnvironmentFile passes them to the whole server),
   * e.g. power-server 1.0's `IPMI_PASSWORD` for `ipmitool -E`.
   */
  readonly scriptVariables: Readonly<Record<string, string>>
  /** Owner and mode of the config file read, for the start-up safety check. */
  readonly fileStats: Pick<Stats, 'mode' | 'uid'> | undefined
  /** Whether `jwt_shared_secret` came from the config file (not the environment). */
  readonly secretInFile: boolean
  /** PEM certificate (chain) and key to serve HTTPS with; both or neither. */
  readonly tlsCertFile: string | undefined
  readonly tlsKeyFile: string | undefined
  /** The list of revoked tokens (`flight-power token --revoke`), re-read when it changes. */
  readonly revokedTokensFile: string
  /** Things worth a warning (skipped lines, ignored FLIGHT_POWER_* keys). */
  readonly warnings: readonly string[]
}

/** Keys the config file may hold, with their defaults (`undefined`: no default). */
const KEYS = {
  jwt_shared_secret: undefined,
  topology_config: DEFAULT_TOPOLOGY_PATH,
  port: '6302',
  bind_address: '0.0.0.0',
  num_worker_commands: '50',
  // 0 keeps power-server 1.0's behaviour; `init` writes 300, Slurm's ResumeRate default.
  power_on_rate: '0',
  log_level: 'info',
  shutdown_grace_seconds: '30',
  max_targets: '10000',
  idle_timeout_seconds: '60',
  state_poll_seconds: '0',
  working_directory: undefined,
  // power-server 1.0's generated script did `cd $scripts_dir` first.
  scripts_dir: undefined,
  tls_cert_file: undefined,
  tls_key_file: undefined,
  revoked_tokens_file: undefined,
} as const satisfies Record<string, string | undefined>
type Key = keyof typeof KEYS

/** Every key the server reads from its config file and environment (never passed to scripts). */
export const CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(KEYS))

/** Environment variables of the flight-power client and tools; server settings, not scripts'. */
export const RESERVED_PREFIX = 'FLIGHT_POWER_'

/** The command-line flag behind each override, for messages that name the real source. */
const FLAGS: Partial<Record<Key, string>> = { port: '--port', bind_address: '--bind' }

/** Above this, the shipped unit's TimeoutStopSec=45s SIGKILLs the server mid-grace. */
export const MAX_GRACE_UNDER_UNIT_SECONDS = 40

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
 * then environment variables of the same names, then flags. Throws ServerConfigError for bad values;
 * the secret's presence and length are checked by `requireSecret`, so `check` works without one.
 */
export async function loadServerConfig(sources: ConfigSources = {}): Promise<ServerConfig> {
  const warnings: string[] = []
  const path = sources.configFile ?? DEFAULT_CONFIG_PATH
  const values = new Map<Key, string>()
  // Where each value came from, for messages: `in "FILE" line N`, `in the environment`, `--port`.
  const origins = new Map<Key, string>()
  const scriptVariables: Record<string, string> = {}
  let configFile: string | undefined = path
  let text: string | undefined
  let fileStats: Stats | undefined
  try {
    ;({ text, stats: fileStats } = await readLimited(path))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' || sources.configFile !== undefined) {
      const reason = fileErrorWords(error)
      throw new ServerConfigError(`Cannot read server config "${path}": ${reason}`, {
        cause: error,
      })
    }
    configFile = undefined
  }
  if (text !== undefined) {
    const parsed = parseEnvFile(text)
    for (const warning of parsed.warnings) warnings.push(`${path}: ${warning}`)
    for (const { key, value, line } of parsed.assignments) {
      if (key in KEYS) {
        values.set(key as Key, value)
        origins.set(key as Key, `in "${path}" line ${line}`)
      } else if (key.toUpperCase().startsWith(RESERVED_PREFIX)) {
        warnings.push(`${path}: line ${line}: unknown key "${key}": ignored`)
      } else {
        const meant = nearest(key, CONFIG_KEYS, key.length <= 4 ? 1 : 2)
        if (meant)
          warnings.push(
            `${path}: line ${line}: "${key}" is not a server setting: did you mean "${meant}"? It is passed to the scripts as a variable`,
          )
        // Later lines win, as in systemd; re-inserting keeps the order of last assignment.
        delete scriptVariables[key]
        scriptVariables[key] = value
      }
    }
  }
  const env = sources.env ?? process.env
  for (const key of Object.keys(KEYS) as Key[]) {
    const value = env[key]
    if (value !== undefined) {
      values.set(key, value)
      origins.set(key, 'in the environment')
    }
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {}) as [
    Key,
    string | undefined,
  ][]) {
    if (value !== undefined) {
      values.set(key, value)
      origins.set(key, FLAGS[key] ?? 'on the command line')
    }
  }

  const get = (key: Key): string | undefined => values.get(key) ?? KEYS[key]
  /** `Invalid port "x" in "FILE" line 3`, `Invalid port "x" in the environment`, `Invalid --port "x"`. */
  const invalid = (key: Key, value: string, expected: string) => {
    const origin = origins.get(key)
    const message = origin?.startsWith('--')
      ? `Invalid ${origin} "${value}": ${expected}`
      : `Invalid ${key} "${value}"${origin ? ` ${origin}` : ''}: ${expected}`
    return new ServerConfigError(message)
  }
  const integer = (key: Key, min: number, max: number): number => {
    const raw = get(key) ?? ''
    const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN
    if (!(value >= min && value <= max))
      throw invalid(key, raw, `expected a whole number from ${min} to ${max}`)
    return value
  }
  const logLevel = (get('log_level') ?? 'info').trim().toLowerCase()
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw invalid('log_level', logLevel, `expected one of ${LOG_LEVELS.join(', ')}`)
  const topologyPath = get('topology_config') || DEFAULT_TOPOLOGY_PATH
  const bindAddress = (get('bind_address') ?? '').trim()
  if (bindAddress === '') throw invalid('bind_address', '', 'expected an address such as 0.0.0.0')
  const workingDirectoryKey = get('working_directory')
    ? 'working_directory'
    : get('scripts_dir')
      ? 'scripts_dir'
      : undefined
  const tlsCertFile = get('tls_cert_file') || undefined
  const tlsKeyFile = get('tls_key_file') || undefined
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    const [set, unset] = tlsCertFile
      ? ['tls_cert_file', 'tls_key_file']
      : ['tls_key_file', 'tls_cert_file']
    throw new ServerConfigError(
      `${set} is set but ${unset} is not: HTTPS needs both (or neither, for plain HTTP)`,
    )
  }

  return Object.freeze({
    configFile,
    configPath: path,
    secret: new TextEncoder().encode(get('jwt_shared_secret') ?? ''),
    topologyPath,
    port: integer('port', 0, 65535),
    bindAddress,
    workers: integer('num_worker_commands', 1, 10_000),
    powerOnRate: integer('power_on_rate', 0, 60_000),
    logLevel: logLevel as LogLevel,
    shutdownGraceSeconds: integer('shutdown_grace_seconds', 0, 3600),
    maxTargets: integer('max_targets', 1, 1_000_000),
    // Bun's idleTimeout tops out at 255 seconds.
    idleTimeoutSeconds: integer('idle_timeout_seconds', 1, 255),
    statePollSeconds: integer('state_poll_seconds', 0, 86_400),
    workingDirectory: workingDirectoryKey ? get(workingDirectoryKey) : undefined,
    workingDirectoryKey,
    scriptVariables: Object.freeze(scriptVariables),
    fileStats: fileStats && { mode: fileStats.mode, uid: fileStats.uid },
    secretInFile: origins.get('jwt_shared_secret')?.startsWith('in "') ?? false,
    tlsCertFile,
    tlsKeyFile,
    revokedTokensFile: get('revoked_tokens_file') || defaultRevokedTokensFile(path),
    warnings: Object.freeze(warnings),
  })
}

/**
 * `power-server/revoked-tokens` beside the config file: for the default config,
 * `/opt/flight/etc/power-server/revoked-tokens`, next to the topology.
 */
export function defaultRevokedTokensFile(configPath: string): string {
  return join(dirname(configPath), 'power-server', 'revoked-tokens')
}

/**
 * A warning when `shutdown_grace_seconds` outlasts the shipped unit's `TimeoutStopSec=45s`:
 * systemd would SIGKILL the server, and its running scripts, in the middle of the grace period.
 */
export function graceWarning(
  config: Pick<ServerConfig, 'shutdownGraceSeconds'>,
): string | undefined {
  const seconds = config.shutdownGraceSeconds
  if (seconds <= MAX_GRACE_UNDER_UNIT_SECONDS) return undefined
  return `shutdown_grace_seconds=${seconds} is longer than the systemd unit allows (TimeoutStopSec=45s, about ${MAX_GRACE_UNDER_UNIT_SECONDS}s of grace): raise TimeoutStopSec above ${seconds + 5}s with "systemctl edit flight-power-server", or systemd kills running actions mid-grace`
}

/**
 * The HMAC secret, checked: throws ServerConfigError when it is missing or shorter than 32 bytes,
 * the size of the HS256 key itself (RFC 7518 §3.2).
 */
export function requireSecret(
  config: Pick<ServerConfig, 'secret' | 'configFile' | 'configPath'>,
): Uint8Array {
  const bytes = config.secret.length
  const where = config.configFile ? `"${config.configFile}"` : 'the environment'
  if (bytes === 0 && config.configFile === undefined) {
    throw new ServerConfigError(
      `No jwt_shared_secret: "${config.configPath}" does not exist; run "flight-power init" (or pass --config FILE)`,
    )
  }
  if (bytes === 0) {
    throw new ServerConfigError(
      `No jwt_shared_secret in ${where}: run "flight-power init" or set jwt_shared_secret in the server config`,
    )
  }
  if (bytes < MIN_SECRET_BYTES) {
    throw new ServerConfigError(
      `The jwt_shared_secret in ${where} is too short: ${bytes} bytes, at least ${MIN_SECRET_BYTES} needed; set a new one (openssl rand -base64 48) and mint new tokens with "flight-power token"`,
    )
  }
  return config.secret
}
