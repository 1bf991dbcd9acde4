import { compareNatural, EXIT } from '../../topology/index.ts'
import { formatAge } from '../cache-flags.ts'
import { ACTION_NAME, foldNames } from '../format.ts'
import type { ClientIo } from '../io.ts'
import { parseGroupList, parseNodeList, type ListedNode } from '../wire.ts'
import { openSession, type CommonOptions } from './session.ts'

/** Flags of `list`. */
export interface ListOptions extends CommonOptions {
  readonly groups?: boolean
  readonly verbose?: boolean
}

/**
 * `list` as power-client had it: node names; `--groups` group names; `--verbose` adds each
 * node's platform and last known state with its age, or each group's members (folded).
 * `--json` prints `{"nodes": [{"name", "platform", "state"?, "ageSeconds"?}]}` or
 * `{"groups": [{"name", "nodes": [...]}]}`.
 */
export async function runList(options: ListOptions, io: ClientIo): Promise<number> {
  const { request } = await openSession(options, io)
  if (options.groups) {
    const groups = parseGroupList(await request('GET', '/groups'))
      .map((group) => ({ name: group.name, nodes: [...group.nodes].sort(compareNatural) }))
      .sort((a, b) => compareNatural(a.name, b.name))
    if (options.json) io.stdout.write(`${JSON.stringify({ groups }, null, 2)}\n`)
    else
      io.stdout.write(
        columns(groups.map((group) => [group.name, options.verbose ? foldNames(group.nodes) : ''])),
      )
    return EXIT.ok
  }
  const query = options.verbose ? { state: '1' } : undefined
  const nodes = parseNodeList(await request('GET', '/nodes', query)).sort((a, b) =>
    compareNatural(a.name, b.name),
  )
  if (options.json) io.stdout.write(`${JSON.stringify({ nodes }, null, 2)}\n`)
  else
    io.stdout.write(
      columns(nodes.map((node) => [node.name, options.verbose ? verboseNode(node) : ''])),
    )
  return EXIT.ok
}

/**
 * `aws  on, read 42s ago  (on off restart status cycle shutdown)`: the platform, the last known
 * state when the server keeps one, and what the platform can do, in the commands' words.
 */
function verboseNode(node: ListedNode): string {
  const actions = node.actions?.map((action) => ACTION_NAME[action]).join(' ')
  return [node.platform ?? '', lastKnown(node), actions ? `(${actions})` : '']
    .filter((part) => part)
    .join('  ')
}

function lastKnown(node: ListedNode): string {
  if (node.state === undefined) return ''
  if (node.state === null) return 'never read'
  const age =
    node.ageSeconds === null || node.ageSeconds === undefined
      ? ''
      : `, read ${formatAge(node.ageSeconds)} ago`
  return `${node.state}${age}`
}

function columns(rows: readonly (readonly [string, string])[]): string {
  const width = rows.reduce((widest, [name]) => Math.max(widest, name.length), 0)
  return rows.map(([name, rest]) => `${rest ? `${name.padEnd(width)}  ${rest}` : name}\n`).join('')
}
