import { expandHostlist, HostlistError } from '../topology/index.ts'
import { TargetError } from './errors.ts'

/** Command-line targets, checked locally, ready to send. */
export interface TargetQuery {
  /** The query string values: `nodes=` (names, ranges, `@group` terms) or `groups=`. */
  readonly query: { readonly nodes?: string; readonly groups?: string }
  /** Node names the arguments spell out themselves. */
  readonly names: readonly string[]
  /** Groups the server will expand: `@name` terms, or every argument with `--groups`. */
  readonly groups: readonly string[]
}

/**
 * Check targets with the shared hostlist grammar before any request, so a typo is exit 2
 * at once rather than a round trip. Groups are left for the server to resolve: only it knows
 * their members. With `--groups` a leading `@` is tolerated, since users type it by habit.
 */
export function checkTargets(
  args: readonly string[],
  options: { groups?: boolean } = {},
): TargetQuery {
  const parts = args.map((arg) => arg.trim()).filter((arg) => arg !== '')
  if (parts.length === 0)
    throw new TargetError(
      'No targets given: name nodes like node01 or node[01-10], or groups like @rack1',
    )
  try {
    if (options.groups) {
      const expression = parts.map((part) => part.replace(/(^|,)\s*@/g, '$1')).join(',')
      return { query: { groups: expression }, names: [], groups: expandHostlist(expression) }
    }
    const expression = parts.join(',')
    const groups: string[] = []
    const names = expandHostlist(expression, {
      resolveGroup: (group) => {
        groups.push(group)
        return []
      },
    })
    return { query: { nodes: expression }, names, groups }
  } catch (error) {
    if (error instanceof HostlistError) throw new TargetError(error.message, { cause: error })
    throw error
  }
}
