import type { Node, Platform } from './types.ts'
import { FlightPowerError } from './flight-power-error.ts'
import { nearMissWarnings } from './warnings.ts'

/** A node whose platform lists a variable the node does not set cannot run any script. */
export class MissingVariableError extends FlightPowerError {
  static override code = 'ERR_MISSING_VARIABLE'
  constructor(
    readonly node: string,
    readonly variable: string,
  ) {
    super(`${node}: variable "${variable}" is not set`)
  }
}

/**
 * The node variables a script gets: exactly the platform's listed variables, exported over
 * the server's environment (minus its own settings), which the server passes separately.
 * Throws MissingVariableError before anything runs when the node lacks one.
 */
export function nodeEnvironment(node: Node, platform: Platform): Record<string, string> {
  const env: Record<string, string> = {}
  for (const variable of platform.variables) {
    const value = node.variables[variable] ?? platform.defaults[variable]
    if (value === undefined) throw new MissingVariableError(node.name, variable)
    env[variable] = value
  }
  return env
}

/** Every node-level problem a topology loads with but that may fail or misdirect its actions. */
export function nodeWarnings(
  nodes: Iterable<Node>,
  platforms: ReadonlyMap<string, Platform>,
): string[] {
  const warnings: string[] = []
  const byLowerCase = new Map<string, string>()
  for (const node of nodes) {
    // Host names are case-insensitive: "$name-bmc" of both may be the same BMC.
    const twin = byLowerCase.get(node.name.toLowerCase())
    if (twin) warnings.push(`${twin} and ${node.name} differ only in case: they may be one machine`)
    else byLowerCase.set(node.name.toLowerCase(), node.name)
    const platform = platforms.get(node.platform)
    if (!platform) continue
    warnings.push(...nearMissWarnings(node, platform))
    for (const variable of platform.variables) {
      if (node.variables[variable] === undefined && platform.defaults[variable] === undefined)
        warnings.push(
          `${new MissingVariableError(node.name, variable).message}: its actions will fail until it is set`,
        )
    }
  }
  return warnings
}
