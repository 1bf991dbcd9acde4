import type { Runner } from '../exec/index.ts'
import {
  actionParamsEnvironment,
  EXIT_TRY_AGAIN,
  interpretExit,
  MissingVariableError,
  missingNodeMessage,
  nodeEnvironment,
  SCRIPT_KEY,
  type Action,
  type ActionParams,
  type Node,
  type Platform,
  type ScriptKey,
  type Topology,
  type BuiltinDriver,
} from '../topology/index.ts'
import { systemClock, type Clock } from './clock.ts'
import type { Attempt, Driver } from './driver.ts'
import { Gate, KeyedLocks } from './gate.ts'
import { LastState } from './last-state.ts'
import type { EngineLog } from './log.ts'
import { MISSING_PLATFORM, type NodeResult } from './node-result.ts'
import type { EngineObserver } from './observer.ts'
import { PowerOnRates } from './power-on-rates.ts'
import { createDriverSet } from './driver-set.ts'
import { createRangedDriver } from './ranged-driver.ts'
import { createScriptDriver } from './script-driver.ts'

/** Options of `createEngine`. */
export interface EngineOptions {
  /** Runs platform scripts (the script driver). */
  readonly runner: Runner
  readonly logger: EngineLog
  /** Steps carried out at once across every request (`num_worker_commands`). */
  readonly concurrency: number
  /** Nodes per minute that power-ons may start, across every client; 0 is no limit. */
  readonly powerOnRate?: number
  readonly clock?: Clock
  /**
   * Overrides how steps are carried out, for tests. Default: a platform's scripts (ranged
   * ones where it has them, else per node), or its built-in driver for keys it has no script.
   */
  readonly driver?: Driver
  /** Drivers built into the binary, for platforms with `driver:` (e.g. Redfish). */
  readonly builtin?: Readonly<Partial<Record<BuiltinDriver, Driver>>>
}

/** One action on many nodes. */
export interface ActionRequest {
  readonly action: Action
  readonly names: readonly string[]
  readonly topology: Topology
  readonly params?: ActionParams
  /** Aborting cancels the nodes that have not started; running steps finish. */
  readonly signal?: AbortSignal
  /** Called with each node's result as soon as it is known. */
  readonly onResult?: (result: NodeResult) => void
  /**
   * `status` only: answer from the last known state where it is on or off, read at most
   * `maxAgeMs` ago (default: any age) and not since switched; ask the other nodes.
   */
  readonly cached?: { readonly maxAgeMs?: number }
  /** Background work (the state poll): its steps also hold a share of BACKGROUND_SHARE. */
  readonly background?: boolean
}

/** How every action on every node is carried out (SPEC §14). */
export interface Engine {
  /** Carry out `request`: one result per name, in the given order; never throws for a node. */
  run(request: ActionRequest): Promise<NodeResult[]>
  /** Steps running now. */
  readonly active: number
  /** Nodes waiting for a slot. */
  readonly queued: number
  /** Nodes waiting for the power-on rate. */
  readonly waitingForRate: number
  /** The last known state of every node, fed by every result (SPEC §12). */
  readonly lastState: Pick<LastState, 'get' | 'cached' | 'size'>
  /** Tell `observer` of every result and step from now on; returns how to stop. */
  observe(observer: EngineObserver): () => void
}

/** Actions that switch nodes on, and so wait for the power-on rate. */
const POWERS_ON: ReadonlySet<Action> = new Set(['power_on', 'restart', 'cycle'])
/** Seconds between status polls while waiting for a node to be off. */
const POLL_SECONDS = 2
/** Backoff before the first retry; doubles each time. */
const FIRST_BACKOFF_MS = 1000
/** Background requests hold at most this share of the global limit (at least one step). */
export const BACKGROUND_SHARE = 0.25

/** Build the engine; checks its options once, here. */
export function createEngine(options: EngineOptions): Engine {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    throw new RangeError(`createEngine: "concurrency" must be an integer of at least 1`)
  const rate = options.powerOnRate ?? 0
  if (!(rate >= 0)) throw new RangeError(`createEngine: "powerOnRate" must be 0 or more`)
  const clock = options.clock ?? systemClock
  const shared: Shared = {
    driver:
      options.driver ??
      createDriverSet({
        script: createRangedDriver({
          runner: options.runner,
          fallback: createScriptDriver(options.runner),
          logger: options.logger,
          clock,
        }),
        builtin: options.builtin,
      }),
    logger: options.logger,
    clock,
    slots: new Gate(options.concurrency),
    locks: new KeyedLocks(),
    rates: new PowerOnRates(rate, clock),
    background: new Gate(Math.max(1, Math.floor(options.concurrency * BACKGROUND_SHARE))),
    state: new LastState({ clock, logger: options.logger }),
    observers: new Set(),
  }
  return {
    run: (request) => runAll(request, shared),
    get active() {
      return shared.slots.held
    },
    get queued() {
      return shared.slots.waiting
    },
    get waitingForRate() {
      return shared.rates.waiting
    },
    lastState: shared.state,
    observe(observer) {
      shared.observers.add(observer)
      return () => void shared.observers.delete(observer)
    },
  }
}

interface Shared {
  readonly driver: Driver
  readonly logger: EngineLog
  readonly clock: Clock
  readonly slots: Gate
  readonly locks: KeyedLocks
  readonly rates: PowerOnRates
  readonly background: Gate
  readonly state: LastState
  readonly observers: Set<EngineObserver>
}

async function runAll(request: ActionRequest, shared: Shared): Promise<NodeResult[]> {
  return Promise.all(
    request.names.map(async (name) => {
      const result = await runNode(name, request, shared)
      for (const observer of shared.observers) observer.result?.(result)
      request.onResult?.(result)
      return result
    }),
  )
}

async function runNode(name: string, request: ActionRequest, shared: Shared): Promise<NodeResult> {
  const { action, topology } = request
  const node = topology.nodes.get(name)
  if (!node) return missing(name, action, missingNodeMessage(name, topology))
  const notRun = (message: string) => {
    shared.logger.warn(`${name}: ${action} not run: ${message}`)
    return failed(node, action, message)
  }
  const platform = topology.platforms.get(node.platform)
  if (!platform) return notRun(`platform "${node.platform}" is not defined`)
  if (action === 'status' && request.cached) {
    const known = shared.state.cached(name, request.cached.maxAgeMs)
    if (known) return fromCache(node, platform, known, shared)
  }
  const key = SCRIPT_KEY[action]
  if (!shared.driver.supports(platform, key) && !fallsBack(action, platform, shared.driver))
    return notRun(`platform "${platform.name}" has no ${key} script`)
  let env: Record<string, string>
  try {
    env = { ...nodeEnvironment(node, platform), ...actionParamsEnvironment(request.params ?? {}) }
  } catch (error) {
    if (error instanceof MissingVariableError) return notRun(error.message)
    throw error
  }
  let unlock: () => void
  try {
    unlock = await shared.locks.acquire(name, request.signal)
  } catch {
    return cancelled(node, action)
  }
  const carry = new Carry({ node, platform, env, request, shared })
  try {
    return await carry.out()
  } finally {
    unlock()
  }
}

/** `cycle` needs no script of its own when the platform can switch off, read status and on. */
function fallsBack(action: Action, platform: Platform, driver: Driver): boolean {
  return (
    action === 'cycle' &&
    (['power_off', 'status', 'power_on'] as const).every((key) => driver.supports(platform, key))
  )
}

/** Thrown inside a carry when the request's signal aborts before a step starts. */
class Cancelled extends Error {}

/** One node's action, from its first step to its result. */
class Carry {
  readonly #node: Node
  readonly #platform: Platform
  readonly #env: Record<string, string>
  readonly #request: ActionRequest
  readonly #shared: Shared
  #startedAt: number | undefined
  #attempts = 0

  constructor(parts: {
    node: Node
    platform: Platform
    env: Record<string, string>
    request: ActionRequest
    shared: Shared
  }) {
    this.#node = parts.node
    this.#platform = parts.platform
    this.#env = parts.env
    this.#request = parts.request
    this.#shared = parts.shared
  }

  async out(): Promise<NodeResult> {
    const { action } = this.#request
    try {
      if (action === 'cycle' && !this.#shared.driver.supports(this.#platform, 'power_cycle'))
        return await this.#cycleByParts()
      if (action === 'shutdown' && this.#request.params?.forceAfter !== undefined)
        return await this.#shutdownThenForce(this.#request.params.forceAfter)
      const main = await this.#main(SCRIPT_KEY[action])
      return this.#result(main)
    } catch (error) {
      if (error instanceof Cancelled) return cancelled(this.#node, action, this.#started())
      throw error
    }
  }

  /** power_off, status until off (within the cycle's timeout), `cycle_delay`, power_on. */
  async #cycleByParts(): Promise<NodeResult> {
    const deadline = this.#shared.clock.now() + this.#platform.timeouts.power_cycle * 1000
    const off = await this.#step('power_off')
    if (off.exitCode !== 0) return this.#result(off)
    if (!(await this.#waitForOff(deadline)))
      return this.#result({
        ...off,
        exitCode: null,
        message: `still not off ${this.#platform.timeouts.power_cycle}s after power_off`,
      })
    await this.#sleep(this.#platform.cycleDelaySeconds * 1000)
    return this.#result(await this.#main('power_on'))
  }

  /** The graceful request, then status until off; still on after `seconds`: power_off. */
  async #shutdownThenForce(seconds: number): Promise<NodeResult> {
    const graceful = await this.#main('shutdown')
    if (graceful.exitCode !== 0) return this.#result(graceful)
    if (await this.#waitForOff(this.#shared.clock.now() + seconds * 1000))
      return this.#result(graceful, { forced: false })
    this.#shared.logger.info(
      `${this.#node.name}: still on ${seconds}s after shutdown: powering off`,
    )
    const hard = await this.#step('power_off')
    return this.#result(hard, { forced: true })
  }

  /** Poll status until it says off (true) or `deadline` passes (false). */
  async #waitForOff(deadline: number): Promise<boolean> {
    for (;;) {
      const status = await this.#step('status')
      const { state } = interpretExit('status', status.exitCode, this.#platform.statusOffExitCode)
      if (state === 'on' || state === 'off')
        this.#shared.state.saw(this.#node.name, state, this.#request.action)
      if (state === 'off') return true
      const left = deadline - this.#shared.clock.now()
      if (left <= 0) return false
      await this.#sleep(Math.min(POLL_SECONDS * 1000, left))
    }
  }

  /** The action's own script: counted, retried on timeout or exit 75 with backoff. */
  async #main(key: ScriptKey): Promise<Attempt> {
    let backoff = FIRST_BACKOFF_MS
    for (;;) {
      this.#attempts++
      const attempt = await this.#step(key, { rated: true })
      const again = attempt.timedOut || attempt.exitCode === EXIT_TRY_AGAIN
      if (!again || this.#attempts > this.#platform.retries) return attempt
      this.#shared.logger.info(
        `${this.#node.name}: ${key} ${attempt.timedOut ? 'timed out' : `exit ${EXIT_TRY_AGAIN}`}: retry ${this.#attempts} of ${this.#platform.retries} in ${backoff / 1000}s`,
      )
      await this.#sleep(backoff)
      backoff *= 2
    }
  }

  /**
   * One step under the global limit. Power-on steps (`rated`) first wait for the power-on
   * rate, holding no slot while they wait.
   */
  async #step(key: ScriptKey, options: { rated?: boolean } = {}): Promise<Attempt> {
    const { signal } = this.#request
    const rated = options.rated === true && POWERS_ON.has(this.#request.action)
    let done: ((started: boolean) => void) | undefined
    let release: (() => void) | undefined
    let share: (() => void) | undefined
    try {
      if (rated)
        done = await this.#shared.rates.acquire(this.#node.name, this.#request.topology, signal)
      if (this.#request.background) share = await this.#shared.background.acquire(signal)
      release = await this.#shared.slots.acquire(signal)
    } catch {
      done?.(false)
      share?.()
      throw new Cancelled()
    }
    done?.(true)
    if (rated || this.#startedAt === undefined) this.#startedAt = this.#shared.clock.now()
    try {
      const attempt = await this.#shared.driver.attempt({
        node: this.#node,
        platform: this.#platform,
        key,
        env: this.#env,
        timeoutMs: this.#platform.timeouts[key] * 1000,
      })
      const seen = { node: this.#node.name, platform: this.#platform.name, key, attempt }
      for (const observer of this.#shared.observers)
        observer.step?.({ ...seen, action: this.#request.action })
      return attempt
    } finally {
      release()
      share?.()
    }
  }

  async #sleep(ms: number): Promise<void> {
    try {
      await this.#shared.clock.sleep(ms, this.#request.signal)
    } catch {
      throw new Cancelled()
    }
  }

  #started(): string | undefined {
    return this.#startedAt === undefined ? undefined : new Date(this.#startedAt).toISOString()
  }

  #result(attempt: Attempt, extra: { forced?: boolean } = {}): NodeResult {
    const { action } = this.#request
    const name = this.#node.name
    const { success, state } = interpretExit(
      action,
      attempt.exitCode,
      this.#platform.statusOffExitCode,
    )
    if (state) this.#shared.state.saw(name, state, action)
    else this.#shared.state.acted(name, action, success)
    if (success)
      this.#shared.logger.debug(
        `${name}: ${action} exit ${attempt.exitCode} in ${attempt.durationMs}ms`,
      )
    else
      this.#shared.logger.warn(
        `${name}: ${action} failed (${attempt.how ?? 'not run'}): ${attempt.message}${attempt.detail ?? ''}`,
      )
    return {
      name,
      action,
      platform: this.#node.platform,
      missing: false,
      success,
      ...(state ? { state } : {}),
      exitCode: attempt.exitCode,
      durationMs: attempt.durationMs,
      message: success ? null : (attempt.message ?? `exit code ${attempt.exitCode}`),
      // Only where they tell something: retrying platforms, and power-ons (the rate's proof).
      ...(this.#platform.retries > 0 ? { attempts: this.#attempts } : {}),
      ...(this.#startedAt !== undefined && POWERS_ON.has(action)
        ? { startedAt: this.#started() }
        : {}),
      ...extra,
    }
  }
}

/** A status answered from the last known state, without running anything. */
function fromCache(
  node: Node,
  platform: Platform,
  known: NonNullable<ReturnType<LastState['cached']>>,
  shared: Shared,
): NodeResult {
  return {
    name: node.name,
    action: 'status',
    platform: node.platform,
    missing: false,
    success: true,
    state: known.state,
    // The exit code the platform's status script gives for that state.
    exitCode: known.state === 'on' ? 0 : platform.statusOffExitCode,
    durationMs: 0,
    message: null,
    cached: {
      seenAt: new Date(known.seenAt).toISOString(),
      ageMs: Math.max(0, shared.clock.now() - known.seenAt),
      seenBy: known.seenBy,
    },
  }
}

function missing(name: string, action: Action, message: string): NodeResult {
  return {
    name,
    action,
    platform: MISSING_PLATFORM,
    missing: true,
    success: false,
    ...(action === 'status' ? { state: 'unknown' as const } : {}),
    exitCode: null,
    durationMs: 0,
    message,
  }
}

function failed(node: Node, action: Action, message: string, startedAt?: string): NodeResult {
  return {
    name: node.name,
    action,
    platform: node.platform,
    missing: false,
    success: false,
    ...(action === 'status' ? { state: 'unknown' as const } : {}),
    exitCode: null,
    durationMs: 0,
    message,
    ...(startedAt !== undefined ? { startedAt } : {}),
  }
}

function cancelled(node: Node, action: Action, startedAt?: string): NodeResult {
  return {
    ...failed(node, action, 'cancelled: the client went away before it started', startedAt),
    cancelled: true,
  }
}
