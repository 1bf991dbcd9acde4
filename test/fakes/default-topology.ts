/**
 * The shipped default topology (etc/topology.yaml) with test nodes added: the platforms and
 * their scripts stay exactly as shipped, so the tests prove what administrators get.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, parseDocument } from 'yaml'

export const DEFAULT_TOPOLOGY_FILE = join(import.meta.dir, '../../etc/topology.yaml')

/** A node as written in topology.yaml: its platform and its variables. */
export type NodeSpec = { platform: string } & Record<string, string | number>

/**
 * The default topology's YAML with `nodes` under static_nodes. `timeouts` replaces a
 * platform's `timeout` (an administrator's knob, not part of its scripts), to keep the
 * timeout path of a test short. `platforms` adds platforms of the test's own beside the
 * shipped ones, which it may not replace.
 */
export function defaultTopologyWith(
  nodes: Readonly<Record<string, NodeSpec>>,
  options: {
    timeouts?: Readonly<Record<string, number>>
    platforms?: Readonly<Record<string, Record<string, unknown>>>
  } = {},
): string {
  const doc = parseDocument(readFileSync(DEFAULT_TOPOLOGY_FILE, 'utf8'))
  doc.set('static_nodes', doc.createNode(nodes))
  for (const [name, platform] of Object.entries(options.platforms ?? {})) {
    if (doc.hasIn(['platforms', name]))
      throw new Error(`defaultTopologyWith: platform "${name}" is shipped; name yours otherwise`)
    doc.setIn(['platforms', name], doc.createNode(platform))
  }
  for (const [platform, seconds] of Object.entries(options.timeouts ?? {})) {
    doc.setIn(['platforms', platform, 'timeout'], seconds)
  }
  return doc.toString()
}

/**
 * A shipped platform of the default topology as a plain object, to add a copy of it under
 * another name (e.g. with a shorter `timeout` for one node only) through `platforms`.
 */
export function shippedPlatform(name: string): Record<string, unknown> {
  const doc = parse(readFileSync(DEFAULT_TOPOLOGY_FILE, 'utf8')) as {
    platforms?: Record<string, Record<string, unknown>>
  }
  const platform = doc.platforms?.[name]
  if (!platform) throw new Error(`shippedPlatform: no platform "${name}" in etc/topology.yaml`)
  return platform
}
