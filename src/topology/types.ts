/** power-server 1.0's four actions: every platform has a script for each. */
export const BASIC_ACTIONS = ['power_on', 'power_off', 'restart', 'status'] as const
/** Every action a client may ask for (SPEC §10); all but the basic four are optional. */
export const ACTIONS = [...BASIC_ACTIONS, 'cycle', 'shutdown', 'identify', 'bootdev'] as const
export type Action = (typeof ACTIONS)[number]

/** The topology key of each action's script: `cycle` is `power_cycle`, the rest their own name. */
export const SCRIPT_KEY = {
  power_on: 'power_on',
  power_off: 'power_off',
  restart: 'restart',
  status: 'status',
  cycle: 'power_cycle',
  shutdown: 'shutdown',
  identify: 'identify',
  bootdev: 'bootdev',
} as const satisfies Record<Action, string>
export type ScriptKey = (typeof SCRIPT_KEY)[Action]
/** Every script key a platform may hold, in the order the actions are listed. */
export const SCRIPT_KEYS: readonly ScriptKey[] = ACTIONS.map((action) => SCRIPT_KEY[action])

/** Drivers built into the binary that a platform may name with `driver:` (SPEC §11). */
export const BUILTIN_DRIVERS = ['redfish'] as const
export type BuiltinDriver = (typeof BUILTIN_DRIVERS)[number]

/** A platform: the scripts that drive one kind of node, and what they may see. */
export interface Platform {
  readonly name: string
  /** A built-in driver that carries out every action the platform has no script for. */
  readonly driver?: BuiltinDriver
  /** Node variables exported to the scripts, in the order the topology lists them. */
  readonly variables: readonly string[]
  /** Values used for listed variables a node does not set (the platform's `defaults`). */
  readonly defaults: Readonly<Record<string, string>>
  /** Script text per script key; a script the platform does not define is absent. */
  readonly scripts: Readonly<Partial<Record<ScriptKey, string>>>
  /** Exit code of `status` that means "off" (power-server's `status_off_exit_code`). */
  readonly statusOffExitCode: number
  /** Seconds a script may run before its whole process group is killed, per script key. */
  readonly timeouts: Readonly<Record<ScriptKey, number>>
  /** Seconds between off and on when `cycle` falls back to power_off then power_on. */
  readonly cycleDelaySeconds: number
  /** Extra attempts of a script that timed out or exited 75 ("not yet, try again"). */
  readonly retries: number
  /** Ranged scripts per script key: one process for a chunk of nodes (`ranged:`). */
  readonly ranged: Readonly<Partial<Record<ScriptKey, string>>>
  /** Most nodes one ranged script process is given (`ranged_chunk`). */
  readonly rangedChunk: number
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
  /** Groups with their own power-on rate (nodes per minute), SPEC §10. */
  readonly groupRates: ReadonlyMap<string, number>
}

/** Default seconds per action when a platform sets no `timeout`. */
export const DEFAULT_SCRIPT_TIMEOUT_SECONDS = 60
/** power-server 1.0's documented default for `status_off_exit_code`. */
export const DEFAULT_STATUS_OFF_EXIT_CODE = 111
/** Seconds between off and on in `cycle`'s fallback, unless a platform sets `cycle_delay`. */
export const DEFAULT_CYCLE_DELAY_SECONDS = 5
/** Nodes per ranged script process unless a platform sets `ranged_chunk`. */
export const DEFAULT_RANGED_CHUNK = 256
/** Exit code by which a script says "not yet, try again" (BSD's EX_TEMPFAIL). */
export const EXIT_TRY_AGAIN = 75
