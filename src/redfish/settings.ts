import type { Step } from '../engine/index.ts'
import { RedfishError } from './errors.ts'

/** How to reach one node's BMC and which system on it is the node (SPEC §11). */
export interface BmcSettings {
  /** `host` or `host:port`, as the topology gave it. */
  readonly host: string
  readonly username: string
  readonly password: string
  /** An id or a path; undefined: the only member of /redfish/v1/Systems. */
  readonly system?: string
  readonly caFile?: string
  /** Skip certificate checks (an explicit `redfish_insecure: true`). */
  readonly insecure: boolean
}

/** A host name, IPv4, or bracketed IPv6, with an optional port: nothing a URL could smuggle. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/

/**
 * A node's Redfish settings from its variables (listed variables and platform defaults in
 * `step.env` win, then the node's own keys), the password falling back to the server's
 * `REDFISH_PASSWORD`. Throws `RedfishError` naming the node and the variable.
 */
export function bmcSettings(
  step: Pick<Step, 'node' | 'env'>,
  serverEnv: Readonly<Record<string, string | undefined>>,
): BmcSettings {
  const name = step.node.name
  const value = (key: string): string | undefined => {
    const found = step.env[key] ?? step.node.variables[key]
    return found === undefined || found.trim() === '' ? undefined : found.trim()
  }
  const bad = (message: string) => new RedfishError('ERR_REDFISH_SETTINGS', `${name}: ${message}`)
  const host = value('bmc') ?? `${name}-bmc`
  const port = HOST.exec(host)
  if (
    port === null ||
    (port[1] !== undefined && !(Number(port[1]) >= 1 && Number(port[1]) <= 65535))
  )
    throw bad(`bmc ${JSON.stringify(host)} is not a host name or host:port`)
  const username = value('redfish_username')
  if (username === undefined) throw bad('variable "redfish_username" is not set')
  // Passwords are taken as given: spaces may be part of them.
  const password =
    step.env.redfish_password ?? step.node.variables.redfish_password ?? serverEnv.REDFISH_PASSWORD
  if (password === undefined || password === '')
    throw bad(
      'no Redfish password: set the variable "redfish_password" or REDFISH_PASSWORD in the server\'s environment',
    )
  const insecure = value('redfish_insecure')
  if (insecure !== undefined && insecure !== 'true' && insecure !== 'false')
    throw bad(`redfish_insecure must be true or false, not ${JSON.stringify(insecure)}`)
  const system = value('redfish_system')
  const caFile = value('redfish_ca_file')
  return {
    host,
    username,
    password,
    ...(system !== undefined ? { system } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    insecure: insecure === 'true',
  }
}
