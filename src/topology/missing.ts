import { nearest } from './suggest.ts'
import type { Topology } from './types.ts'

/** Above this many nodes the one-edit index is not built: only re-padded numbers are tried. */
const INDEX_LIMIT = 50_000

/** Per node map: a lower-cased name, and each of its one-letter deletions, to the node name. */
const indexes = new WeakMap<object, Map<string, string>>()

function indexOf(nodes: Topology['nodes']): Map<string, string> | undefined {
  if (nodes.size > INDEX_LIMIT) return undefined
  let index = indexes.get(nodes)
  if (!index) {
    index = new Map()
    for (const name of nodes.keys()) {
      const lower = name.toLowerCase()
      if (!index.has(lower)) index.set(lower, name)
      for (const variant of deletions(lower)) if (!index.has(variant)) index.set(variant, name)
    }
    indexes.set(nodes, index)
  }
  return index
}

function deletions(word: string): string[] {
  return Array.from(word, (_, i) => word.slice(0, i) + word.slice(i + 1))
}

/**
 * The node of the topology a missing name most likely meant: the same number padded
 * differently (`demo1` → `demo01`), another case, or one letter added, dropped or changed.
 * Constant time per name, so thousands of unknown names in one request stay cheap.
 */
export function suggestNode(name: string, topology: Pick<Topology, 'nodes'>): string | undefined {
  const { nodes } = topology
  const number = /^(.*?)(\d+)(\D*)$/.exec(name)
  if (number) {
    const [, head, digits, tail] = number as unknown as [string, string, string, string]
    const value = digits.replace(/^0+(?=\d)/, '')
    for (let width = value.length; width <= value.length + 4; width++) {
      const candidate = `${head}${value.padStart(width, '0')}${tail}`
      if (candidate !== name && nodes.has(candidate)) return candidate
    }
  }
  const index = indexOf(nodes)
  if (!index) return undefined
  const lower = name.toLowerCase()
  for (const variant of [lower, ...deletions(lower)]) {
    const found = index.get(variant)
    if (found !== undefined && found !== name) return found
  }
  return undefined
}

/** The message of a name the topology lacks: `node "demo1" is not in the topology: did you mean "demo01"?` */
export function missingNodeMessage(name: string, topology: Pick<Topology, 'nodes'>): string {
  const meant = suggestNode(name, topology)
  return `node "${name}" is not in the topology${meant ? `: did you mean "${meant}"?` : ''}`
}

/** `: did you mean "@rack1"?` for a group name the topology lacks, or nothing. */
export function suggestGroup(name: string, topology: Pick<Topology, 'groups'>): string {
  const meant = nearest(name, topology.groups.keys())
  return meant ? `: did you mean "@${meant}"?` : ''
}
