import { CONFIG_KEYS, RESERVED_PREFIX, type ServerConfig } from './config.ts'

/** The base environment of every platform script, and what the server should log about it. */
export interface ScriptEnvironment {
  /** Variables every script starts with; the node's listed variables are added over them. */
  readonly env: Readonly<Record<string, string>>
  /** Names taken from the config file, the environment lacking them (log names, never values). */
  readonly fromConfigFile: readonly string[]
  /** Names withheld because their value contains the JWT secret. */
  readonly withheld: readonly string[]
}

const SERVER_KEYS = new Set(CONFIG_KEYS.map((key) => key.toLowerCase()))

/**
 * What platform scripts inherit, as power-server 1.0's did: the environment the server was
 * started in (sites keep credentials such as IPMI_PASSWORD there, for `ipmitool -E`), plus the
 * config file's non-server keys (which systemd's EnvironmentFile would have put there anyway,
 * and which a server started by hand reads only from the file). The environment wins over the
 * file, as it does for the server's own keys.
 *
 * Never passed: the server's config keys in any letter case (`jwt_shared_secret` above all),
 * `FLIGHT_POWER_*` variables, and any variable whose value contains the JWT secret (`key=<secret>`
 * leaks it as surely as the secret alone).
 */
export function scriptEnvironment(
  processEnv: Readonly<Record<string, string | undefined>>,
  config: Pick<ServerConfig, 'scriptVariables' | 'secret'>,
): ScriptEnvironment {
  const secret = config.secret.length > 0 ? new TextDecoder().decode(config.secret) : undefined
  const env: Record<string, string> = {}
  const withheld: string[] = []
  const fromConfigFile: string[] = []
  const add = (name: string, value: string) => {
    if (SERVER_KEYS.has(name.toLowerCase()) || name.toUpperCase().startsWith(RESERVED_PREFIX))
      return false
    if (secret !== undefined && value.includes(secret)) {
      withheld.push(name)
      return false
    }
    env[name] = value
    return true
  }
  for (const [name, value] of Object.entries(config.scriptVariables)) {
    if (processEnv[name] === undefined && add(name, value)) fromConfigFile.push(name)
  }
  for (const [name, value] of Object.entries(processEnv)) if (value !== undefined) add(name, value)
  return Object.freeze({
    env: Object.freeze(env),
    fromConfigFile: Object.freeze(fromConfigFile),
    withheld: Object.freeze(withheld),
  })
}
