import type { Node, Platform } from './types.ts'
import { FlightPowerError } from './flight-power-error.ts'

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
