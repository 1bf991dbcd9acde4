import { locateProblem, TopologyError } from './errors.ts'
import { loadTopology } from './load.ts'
import { nodeWarnings } from './node-environment.ts'
import { supportedActions } from './supported-actions.ts'

/** What `flight-power check` prints, and whether the topology is usable. */
export interface CheckReport {
  readonly ok: boolean
  readonly lines: readonly string[]
}

/** Load a topology and describe it: a summary when valid, else every error as `file:line: …`. */
export async function checkTopologyFile(path: string): Promise<CheckReport> {
  try {
    const topology = await loadTopology(path)
    const groups = [...topology.groups.keys()]
    const lines = [
      `${path}: valid`,
      `  nodes:     ${topology.nodes.size}`,
      `  platforms: ${topology.platforms.size} (${[...topology.platforms.keys()].join(', ')})`,
      `  groups:    ${groups.length} (${groups.map((g) => `@${g}`).join(', ')})`,
      '  actions by platform:',
      ...[...topology.platforms.values()].map(
        (platform) => `    ${platform.name}: ${supportedActions(platform).join(', ') || 'none'}`,
      ),
    ]
    for (const warning of nodeWarnings(topology.nodes.values(), topology.platforms)) {
      lines.push(`warning: ${warning}`)
    }
    return { ok: true, lines }
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error
    const lines = error.problems.map((problem) => locateProblem(path, problem))
    lines.push(`${error.problems.length} error${error.problems.length === 1 ? '' : 's'} in ${path}`)
    return { ok: false, lines }
  }
}
