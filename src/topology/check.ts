import { locateProblem, TopologyError } from './errors.ts'
import { loadTopology } from './load.ts'
import { readLimited } from './read-limited.ts'
import { supportedActions } from './supported-actions.ts'
import { withTabProblem } from './tabs.ts'
import { topologyWarnings } from './warnings.ts'

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
    for (const warning of topologyWarnings(topology)) {
      lines.push(`warning: ${warning}`)
    }
    return { ok: true, lines }
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error
    const text = await readLimited(path).then(
      (file) => file.text,
      () => '',
    )
    const problems = withTabProblem(text, error.problems)
    const lines = problems.map((problem) => locateProblem(path, problem))
    lines.push(`${problems.length} error${problems.length === 1 ? '' : 's'} in ${path}`)
    return { ok: false, lines }
  }
}
