import { ACTIONS, type Action, type PowerState } from '../topology/index.ts'
import type { Clock } from './clock.ts'
import type { EngineLog } from './log.ts'

/** What the server last knew of one node. */
export interface NodeState {
  /** The last power state read, or undefined when no status has been read yet. */
  readonly state?: PowerState
  /** When that state was read (ms since the epoch). */
  readonly seenAt?: number
  /** The action whose status step read it: `status`, or `cycle`/`shutdown` waiting for off. */
  readonly seenBy?: Action
  /** The last action other than status that ran on the node, and when it ended. */
  readonly lastAction?: { readonly action: Action; readonly at: number; readonly success: boolean }
}

/** Actions that switch power: after one, an earlier reading no longer vouches for the state. */
const SWITCHES: ReadonlySet<Action> = new Set([
  'power_on',
  'power_off',
  'restart',
  'cycle',
  'shutdown',
])
/** State codes; 0 is "never read". */
const STATES: readonly PowerState[] = ['on', 'off', 'unknown']
/** Nodes the arrays hold before they first double. */
const FIRST_CAPACITY = 1024

/**
 * The last known state of every node (SPEC §12), in parallel typed arrays indexed through one
 * name → index map: about 20 bytes a node plus the map entry, rather than an object graph per
 * node (100,000 nodes stay a few megabytes). Only status readings set the power state: a
 * successful power_on says the BMC accepted the request, not that the node is on. Other
 * actions are recorded as the node's last action.
 */
export class LastState {
  readonly #clock: Clock
  readonly #logger: EngineLog
  readonly #index = new Map<string, number>()
  #state = new Uint8Array(FIRST_CAPACITY)
  #seenBy = new Uint8Array(FIRST_CAPACITY)
  #seenAt = new Float64Array(FIRST_CAPACITY)
  #action = new Uint8Array(FIRST_CAPACITY)
  #actionOk = new Uint8Array(FIRST_CAPACITY)
  #actionAt = new Float64Array(FIRST_CAPACITY)

  constructor(options: { clock: Clock; logger: EngineLog }) {
    this.#clock = options.clock
    this.#logger = options.logger
  }

  /** Nodes with anything recorded. */
  get size(): number {
    return this.#index.size
  }

  /**
   * A status step read `state` on `name` during `action`; logs a change once, as
   * `state node=n01 from=on to=off seen_by=status`. The first reading is not a change.
   */
  saw(name: string, state: PowerState, action: Action): void {
    const i = this.#slot(name)
    const before = this.#state[i]!
    const code = STATES.indexOf(state) + 1
    if (before !== 0 && before !== code)
      this.#logger.info(
        `state node=${name} from=${STATES[before - 1]} to=${state} seen_by=${action}`,
      )
    this.#state[i] = code
    this.#seenAt[i] = this.#clock.now()
    this.#seenBy[i] = ACTIONS.indexOf(action) + 1
  }

  /** `action` (not status) ran on `name` and ended now. */
  acted(name: string, action: Action, success: boolean): void {
    const i = this.#slot(name)
    this.#action[i] = ACTIONS.indexOf(action) + 1
    this.#actionOk[i] = success ? 1 : 0
    this.#actionAt[i] = this.#clock.now()
  }

  /** What is known of `name`; undefined when nothing is. */
  get(name: string): NodeState | undefined {
    const i = this.#index.get(name)
    if (i === undefined) return undefined
    const state = this.#state[i]!
    const action = this.#action[i]!
    return {
      ...(state !== 0
        ? {
            state: STATES[state - 1],
            seenAt: this.#seenAt[i],
            seenBy: ACTIONS[this.#seenBy[i]! - 1],
          }
        : {}),
      ...(action !== 0
        ? {
            lastAction: {
              action: ACTIONS[action - 1]!,
              at: this.#actionAt[i]!,
              success: this.#actionOk[i] === 1,
            },
          }
        : {}),
    }
  }

  /**
   * The state `status --cached` may answer with: on or off, read at most `maxAgeMs` ago, and
   * no power switched since (an earlier reading would no longer vouch for it). Undefined
   * means the node must be asked.
   */
  cached(
    name: string,
    maxAgeMs = Infinity,
  ): { state: 'on' | 'off'; seenAt: number; seenBy: Action } | undefined {
    const i = this.#index.get(name)
    if (i === undefined) return undefined
    const code = this.#state[i]!
    if (code !== 1 && code !== 2) return undefined
    const seenAt = this.#seenAt[i]!
    if (this.#clock.now() - seenAt > maxAgeMs) return undefined
    const action = this.#action[i]!
    if (action !== 0 && SWITCHES.has(ACTIONS[action - 1]!) && this.#actionAt[i]! >= seenAt)
      return undefined
    return { state: code === 1 ? 'on' : 'off', seenAt, seenBy: ACTIONS[this.#seenBy[i]! - 1]! }
  }

  #slot(name: string): number {
    let i = this.#index.get(name)
    if (i !== undefined) return i
    i = this.#index.size
    if (i === this.#state.length) this.#grow()
    this.#index.set(name, i)
    return i
  }

  #grow(): void {
    const size = this.#state.length * 2
    const grown = <T extends Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size)
      next.set(old)
      return next
    }
    this.#state = grown(this.#state, (n) => new Uint8Array(n))
    this.#seenBy = grown(this.#seenBy, (n) => new Uint8Array(n))
    this.#seenAt = grown(this.#seenAt, (n) => new Float64Array(n))
    this.#action = grown(this.#action, (n) => new Uint8Array(n))
    this.#actionOk = grown(this.#actionOk, (n) => new Uint8Array(n))
    this.#actionAt = grown(this.#actionAt, (n) => new Float64Array(n))
  }
}
