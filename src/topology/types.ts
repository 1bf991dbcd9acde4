/** The four things a platform knows how to do to a node, named as in topology.yaml. */
export const ACTIONS = ['power_on', 'power_off', 'restart', 'status'] as const
export type Action = (typeof ACTIONS)[number]

/** A platform: the scripts that drive one kind of node, and what they may see. */
export interface Platform {
  readonly name: string
  /** Node variables exported to the scripts, in the order the topology lists them. */
  readonly variables: readonly string[]
  /** Values used for listed variables a node does not set (the platform's `defaults`). */
  readonly defaults: Readonly<Record<string, string>>
  /** Script text per action; an action the platform does not define is absent. */
  readonly scripts: Readonly<Partial<Record<Action, string>>>
  /** Exit code of `status` that means "off" (power-server's `status_off_exit_code`). */
  readonly statusOffExitCode: number
  /** Seconds an action may run before its whole process group is killed. */
  readonly timeouts: Readonly<Record<Action, number>>
}

/** A node: its name, its platform and every other key of its YAML entry as a string. */
export interface Node {
  readonly name: string
  readonly platform: string
  /** All variables of the node, `name` included, as the scripts would see them. */
  readonly variables: Readonly<Record<string, string>>
}

/** A validated topology. Nothing in it needs checking again. */
export interface Topology {
  /** The file it came from, for messages ("<inline>" when parsed from a string). */
  readonly source: string
  readonly nodes: ReadonlyMap<string, Node>
  readonly platforms: ReadonlyMap<string, Platform>
  /** Group name to its member node names, expanded and in natural order. */
  readonly groups: ReadonlyMap<string, readonly string[]>
}

/** Default seconds per action when a platform sets no `timeout`. */
export const DEFAULT_TIMEOUT_SECONDS = 60
/** power-server 1.0's documented default for `status_off_exit_code`. */
export const DEFAULT_STATUS_OFF_EXIT_CODE = 111
