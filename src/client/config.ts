import { fileErrorWords, readIfExists } from '../topology/index.ts'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { cliSeconds } from '../topology/index.ts'
import { ClientConfigError } from './errors.ts'
import { readCa, type TrustedCa } from './tls.ts'

/** Where power-client 0.2's package put its config; flight-power reads the same file. */
export const SYSTEM_CONFIG_PATH = '/opt/flight/opt/power-client/etc/config.yaml'

/** HTTP request timeout unless `--timeout` says otherwise: power actions may take minutes. */
export const DEFAULT_HTTP_TIMEOUT_SECONDS = 300

const KEYS = ['base_url', 'jwt_token', 'ca_file'] as const
type Key = (typeof KEYS)[number]

/** The settings a client command runs with, and where each came from (for error messages). */
export interface ClientConfig {
  /** Server URL without a trailing slash; a path prefix (`https://gw/power`) is kept. */
  readonly baseUrl: string
  readonly token: string
  /** `"/path/config.yaml"`, `FLIGHT_POWER_URL` or `--url`. */
  readonly urlSource: string
  readonly tokenSource: string
  readonly timeoutMs: number
  /** A CA certificate trusted besides the public ones (`ca_file`, for self-signed servers). */
  readonly ca?: TrustedCa
}

/** Command-line flags that take part in resolution. */
export interface ConfigFlags {
  readonly url?: string
  readonly token?: string
  readonly config?: string
  readonly timeout?: string | number
  readonly caFile?: string
}

/** What resolution reads from the outside world; tests pass fakes. */
export interface ConfigEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>
  /** File text, or undefined when the file does not exist. Other failures throw. */
  readonly readText?: (path: string) => Promise<string | undefined>
  readonly systemPath?: string
}

/**
 * Resolve the client's settings (SPEC §7), later sources overriding earlier ones:
 * system file, per-user file, `FLIGHT_POWER_URL` / `FLIGHT_POWER_TOKEN`, then `--url` /
 * `--token`. A file named by `--config` / `FLIGHT_POWER_CONFIG` replaces both files: whoever
 * names a file means that file, not whatever a per-user file happens to say.
 */
export async function resolveConfig(
  flags: ConfigFlags,
  environment: ConfigEnvironment,
): Promise<ClientConfig> {
  const { env } = environment
  const readText = environment.readText ?? readIfExists
  const explicit = nonEmpty(flags.config) ?? nonEmpty(env.FLIGHT_POWER_CONFIG)
  const user = userConfigPath(env)
  const files = explicit
    ? [{ path: explicit, required: true }]
    : [
        { path: environment.systemPath ?? SYSTEM_CONFIG_PATH, required: false },
        { path: user, required: false },
      ]

  const found: Partial<Record<Key, { value: string; source: string }>> = {}
  const unreadable: string[] = []
  for (const file of files) {
    let text: string | undefined
    try {
      text = await readText(file.path)
    } catch (error) {
      // An unreadable system file (root-only, holding a power token) must not stop a user whose
      // own file is complete; it is named only if a value ends up missing.
      if (file.required)
        throw new ClientConfigError(
          `Cannot read client config "${file.path}": ${fileErrorWords(error)}`,
          {
            cause: error,
          },
        )
      unreadable.push(`"${file.path}" could not be read: ${fileErrorWords(error)}`)
      continue
    }
    if (text === undefined) {
      if (file.required)
        throw new ClientConfigError(`Cannot read client config "${file.path}": no such file`)
      continue
    }
    const values = await parseConfigText(text, file.path)
    for (const key of KEYS) {
      const value = values[key]
      if (value !== undefined) found[key] = { value, source: `"${file.path}"` }
    }
  }
  const fromEnv = (name: string, key: Key) => {
    const value = nonEmpty(env[name])
    if (value !== undefined) found[key] = { value, source: name }
  }
  fromEnv('FLIGHT_POWER_URL', 'base_url')
  fromEnv('FLIGHT_POWER_TOKEN', 'jwt_token')
  fromEnv('FLIGHT_POWER_CA_FILE', 'ca_file')
  if (nonEmpty(flags.caFile) !== undefined)
    found.ca_file = { value: flags.caFile!.trim(), source: '--ca-file' }
  if (nonEmpty(flags.url) !== undefined)
    found.base_url = { value: flags.url!.trim(), source: '--url' }
  if (nonEmpty(flags.token) !== undefined)
    found.jwt_token = { value: flags.token!.trim(), source: '--token' }

  const note = unreadable.length > 0 ? ` (${unreadable.join('; ')})` : ''
  const url = found.base_url
  if (!url) {
    throw new ClientConfigError(
      `No power server configured: set base_url in "${files[0]!.path}" or "${user}", set FLIGHT_POWER_URL, or pass --url${note}`,
    )
  }
  const token = found.jwt_token
  if (!token) {
    throw new ClientConfigError(
      `No token configured: ask your administrator for one (they run "flight-power token" on the server host), then set jwt_token in "${user}" or FLIGHT_POWER_TOKEN, or pass --token${note}`,
    )
  }
  return {
    baseUrl: parseBaseUrl(url.value, url.source),
    token: token.value,
    urlSource: url.source,
    tokenSource: token.source,
    timeoutMs: cliSeconds(flags.timeout, '--timeout', DEFAULT_HTTP_TIMEOUT_SECONDS) * 1000,
    ...(found.ca_file ? { ca: await readCa(found.ca_file.value, found.ca_file.source) } : {}),
  }
}

/** `$XDG_CONFIG_HOME/flight-power/config.yaml`, defaulting to `~/.config/flight-power/config.yaml`. */
export function userConfigPath(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME)
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg?.startsWith('/') ? xdg : join(nonEmpty(env.HOME) ?? homedir(), '.config')
  return join(base, 'flight-power', 'config.yaml')
}

/**
 * Validate one config file's text: a YAML mapping of `base_url` and `jwt_token` (strings;
 * empty or null means unset, as in power-client's reference file). Anything else is an error
 * naming the file, because a misspelt key would otherwise surface as a puzzling "no token".
 */
export async function parseConfigText(
  text: string,
  path: string,
): Promise<Partial<Record<Key, string>>> {
  const { LineCounter, parseDocument, isMap, isScalar } = await import('yaml')
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false })
  const fail = (offset: number | undefined, detail: string): never => {
    const line = offset === undefined ? '' : `line ${lineCounter.linePos(offset).line}: `
    throw new ClientConfigError(`Cannot load client config "${path}": ${line}${detail}`)
  }
  const yamlError = doc.errors[0]
  if (yamlError) fail(yamlError.pos[0], `invalid YAML: ${yamlError.message.split('\n')[0]}`)
  const root = doc.contents
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return {}
  if (!isMap(root))
    return fail(
      root.range?.[0],
      `expected keys ${KEYS.slice(0, -1).join(', ')} and ${KEYS.at(-1)}, found no mapping`,
    )

  const values: Partial<Record<Key, string>> = {}
  for (const pair of root.items) {
    const keyNode = pair.key
    const key = isScalar(keyNode) ? String(keyNode.value) : '?'
    const offset = isScalar(keyNode) ? keyNode.range?.[0] : undefined
    if (!(KEYS as readonly string[]).includes(key)) {
      fail(
        offset,
        `unknown key "${key}" (the keys are ${KEYS.slice(0, -1).join(', ')} and ${KEYS.at(-1)})`,
      )
    }
    const valueNode = pair.value
    const value: unknown = isScalar(valueNode)
      ? valueNode.value
      : valueNode === null
        ? null
        : valueNode
    if (value === null || value === undefined || value === '') continue
    if (typeof value !== 'string') fail(offset, `${key}: must be a string`)
    const trimmed = (value as string).trim()
    if (trimmed !== '') values[key as Key] = trimmed
  }
  return values
}

/** An absolute http(s) URL; the path is kept as a prefix, without its trailing slash. */
export function parseBaseUrl(value: string, source: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ClientConfigError(
      `Invalid base_url "${value}" from ${source}: expected a URL like "http://head1:6302"`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientConfigError(
      `Invalid base_url "${value}" from ${source}: only http and https are supported`,
    )
  }
  if (url.search || url.hash) {
    throw new ClientConfigError(
      `Invalid base_url "${value}" from ${source}: it may not hold a query or fragment`,
    )
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function nonEmpty(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined
  const text = String(value).trim()
  return text === '' ? undefined : text
}
