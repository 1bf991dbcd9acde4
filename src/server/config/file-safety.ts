import type { Stats } from 'node:fs'
import { userInfo } from 'node:os'
import type { Topology } from '../../topology/index.ts'
import type { ServerConfig } from './config.ts'
import { ServerConfigError } from './errors.ts'

/** Variable names that probably hold a password or key (`ipmi_password`, `api_token`). */
const SECRET_LIKE = /pass|secret|token|key/i

/**
 * Refuse a config file that holds `jwt_shared_secret` and that others could read or change
 * (any group or other permission bit), or that belongs to another user: whoever reads the
 * secret mints power tokens. The message gives the command that fixes it.
 */
export function checkConfigFile(
  config: Pick<ServerConfig, 'configFile' | 'fileStats' | 'secretInFile'>,
  uid: number,
): void {
  const { configFile: file, fileStats: stats } = config
  if (!file || !stats || !config.secretInFile) return
  if (stats.uid !== uid) {
    throw new ServerConfigError(
      `Refusing to start: "${file}" holds jwt_shared_secret but is owned by uid ${stats.uid}, not by the server's user (uid ${uid}): run "chown ${userName(uid)} ${file}"`,
    )
  }
  if ((stats.mode & 0o077) !== 0) {
    throw new ServerConfigError(
      `Refusing to start: "${file}" holds jwt_shared_secret and is open to group or others (mode ${octal(stats.mode)}): run "chmod 600 ${file}"`,
    )
  }
}

/**
 * A warning when the topology is readable by others and holds variables named like passwords,
 * or undefined. Not a refusal: many sites keep BMC passwords elsewhere and name things "key".
 */
export function topologyModeWarning(
  topology: Pick<Topology, 'source' | 'nodes' | 'platforms'>,
  stats: Pick<Stats, 'mode'>,
): string | undefined {
  if ((stats.mode & 0o004) === 0) return undefined
  const names = new Set<string>()
  for (const platform of topology.platforms.values())
    for (const name of Object.keys(platform.defaults)) if (SECRET_LIKE.test(name)) names.add(name)
  for (const node of topology.nodes.values()) {
    for (const name of Object.keys(node.variables)) if (SECRET_LIKE.test(name)) names.add(name)
    if (names.size >= 3) break
  }
  if (names.size === 0) return undefined
  const listed = [...names]
    .slice(0, 3)
    .map((name) => `"${name}"`)
    .join(', ')
  return `topology "${topology.source}" is readable by others (mode ${octal(stats.mode)}) and holds password-like variables (${listed}): run "chmod 600 ${topology.source}"`
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

function userName(uid: number): string {
  try {
    const info = userInfo()
    // Bun answers "unknown" when it finds no name; chown takes the number as well.
    return info.uid === uid && info.username && info.username !== 'unknown'
      ? info.username
      : String(uid)
  } catch {
    return String(uid)
  }
}
