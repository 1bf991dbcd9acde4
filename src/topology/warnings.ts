import { nearest } from './suggest.ts'
import { BASIC_ACTIONS, SCRIPT_KEY, type Node, type Platform, type Topology } from './types.ts'
import { MissingVariableError } from './node-environment.ts'

/**
 * A platform lacking one of power-server 1.0's four scripts loads (old files keep working),
 * but every node on it fails that action: say so before anyone asks for it.
 */
export function platformWarnings(platforms: ReadonlyMap<string, Platform>): string[] {
  const warnings: string[] = []
  for (const platform of platforms.values()) {
    // A built-in driver (redfish) carries out every action the platform has no script for.
    if (platform.driver !== undefined) continue
    const missing = BASIC_ACTIONS.map((action) => SCRIPT_KEY[action]).filter(
      (key) => platform.scripts[key] === undefined,
    )
    if (missing.length > 0)
      warnings.push(
        `platform "${platform.name}" has no ${missing.join(', ')} script${missing.length === 1 ? '' : 's'}: its nodes will fail ${missing.length === 1 ? 'that action' : 'those actions'}`,
      )
  }
  return warnings
}

/**
 * A node key that is not one of its platform's variables but nearly is (`ipmi_usernmae`) is a
 * typo: the scripts never see it, and the real variable falls back to its default or fails.
 */
export function nearMissWarnings(node: Node, platform: Platform): string[] {
  const warnings: string[] = []
  for (const key of Object.keys(node.variables)) {
    if (key === 'name' || platform.variables.includes(key)) continue
    const meant = nearest(key, platform.variables)
    if (meant)
      warnings.push(
        `${node.name}: "${key}" is not a variable of platform "${platform.name}": did you mean "${meant}"?`,
      )
  }
  return warnings
}

/** What `check` and the server warn about in a topology that loads: platforms, then nodes. */
export function topologyWarnings(topology: Pick<Topology, 'nodes' | 'platforms'>): string[] {
  return [
    ...platformWarnings(topology.platforms),
    ...nodeWarnings(topology.nodes.values(), topology.platforms),
  ]
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
