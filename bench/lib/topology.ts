/** Generated topologies of any size, for the benchmarks. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../test/harness.ts'

/** The `count` node names of a generated topology: node01…node99, node001…, zero-padded. */
export function nodeNames(count: number, prefix = 'node'): string[] {
  const width = String(count).length
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`)
}

/** Options of `benchTopology`. */
export interface BenchTopologyOptions {
  readonly nodes: number
  /** The `status` script; on, off and restart run `true`. */
  readonly status: string
  /** Per-action timeout in seconds; default 30. */
  readonly timeoutSeconds?: number
  /** Extra groups: name → hostlist. */
  readonly groups?: Readonly<Record<string, string>>
  /** Extra platforms, verbatim YAML lines already indented under `platforms:`. */
  readonly extraPlatforms?: string
  /** Extra nodes, verbatim YAML lines already indented under `static_nodes:`. */
  readonly extraNodes?: string
}

/**
 * A topology of `nodes` nodes on one platform `bench` whose scripts see `name` and `rack`.
 * Scripts are single-quoted YAML scalars, so they must not contain a single quote.
 */
export function benchTopology(options: BenchTopologyOptions): string {
  if (options.status.includes("'"))
    throw new Error('benchTopology: the status script must not contain a single quote')
  const lines = ['static_nodes:']
  for (const [i, name] of nodeNames(options.nodes).entries()) {
    lines.push(
      `  ${name}: { platform: bench, rack: r${String(Math.floor(i / 40) + 1).padStart(3, '0')} }`,
    )
  }
  if (options.extraNodes) lines.push(options.extraNodes.trimEnd())
  const groups = Object.entries(options.groups ?? {})
  if (groups.length > 0) {
    lines.push('groups:')
    for (const [name, hostlist] of groups) lines.push(`  ${name}: '${hostlist}'`)
  }
  lines.push(
    'platforms:',
    '  bench:',
    '    variables: [name, rack]',
    `    timeout: ${options.timeoutSeconds ?? 30}`,
    '    power_on: "true"',
    '    power_off: "true"',
    '    restart: "true"',
    `    status: '${options.status}'`,
  )
  if (options.extraPlatforms) lines.push(options.extraPlatforms.trimEnd())
  return `${lines.join('\n')}\n`
}

/**
 * The shipped etc/topology.yaml (ipmi, aws and azure platforms, comments and all) with
 * `nodes` IPMI nodes of four variables each: what a real site's file looks like at scale.
 */
export function siteTopology(nodes: number): string {
  const lines: string[] = []
  for (const [i, name] of nodeNames(nodes).entries()) {
    const octets = `${Math.floor(i / 65_536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`
    lines.push(
      `  ${name}: { platform: ipmi, ipmi_username: admin, ipmi_password: s3cret, bmc: 10.${octets} }`,
    )
  }
  return shippedTopology(lines)
}

/** The shipped etc/topology.yaml with `nodeLines` (YAML, indented two spaces) as its nodes. */
export function shippedTopology(nodeLines: readonly string[]): string {
  const shipped = readFileSync(join(repoRoot, 'etc/topology.yaml'), 'utf8')
  const marker = /^static_nodes:[ \t]*$/m
  if (!marker.test(shipped))
    throw new Error('shippedTopology: etc/topology.yaml has no empty "static_nodes:" line')
  return shipped.replace(marker, () => `static_nodes:\n${nodeLines.join('\n')}`)
}
