import type { Action } from '../topology/index.ts'
import { UnreachableError } from './errors.ts'
import type { NodeResult } from './wire.ts'

/** What `--wait` polls for after an action the server accepted. */
export type WaitTarget = 'on' | 'off'

/**
 * The state each action waits for. `restart` waits for `on`: after the server has answered
 * the restart request, the node must be seen on again. Polling cannot tell a node that
 * never went down from one that came back, and resets (IPMI `chassis power reset`) may never
 * show `off`, so this is the one condition that holds for every platform.
 */
export const WAIT_TARGET: Readonly<Partial<Record<Action, WaitTarget>>> = {
  power_on: 'on',
  power_off: 'off',
  restart: 'on',
  cycle: 'on',
  shutdown: 'off',
}

/** Per node: whether it reached the target, and the last status seen (absent if none came). */
export interface WaitResult {
  readonly target: WaitTarget
  readonly timeoutMs: number
  readonly nodes: ReadonlyMap<string, { readonly reached: boolean; readonly last?: NodeResult }>
}

/** Options of `waitForState`; the clock and sleep are injectable so tests need not sleep. */
export interface WaitOptions {
  readonly target: WaitTarget
  readonly timeoutMs: number
  /** First pause between polls; it grows by half each time, up to `maxIntervalMs`. */
  readonly intervalMs?: number
  readonly maxIntervalMs?: number
  readonly now?: () => number
  readonly sleep?: (ms: number) => Promise<void>
  /** Called after each poll with the nodes still pending. */
  readonly onPoll?: (pending: number, total: number) => void
}

/**
 * Poll `status` for `names` until each is in the target state or time runs out. Only nodes
 * still pending are asked about again, so a large request shrinks as nodes arrive. A server
 * that cannot be reached for a moment (its own node restarting, a busy proxy) is retried
 * until the deadline; any other error ends the wait.
 */
export async function waitForState(
  names: readonly string[],
  poll: (names: readonly string[]) => Promise<readonly NodeResult[]>,
  options: WaitOptions,
): Promise<WaitResult> {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms))
  const deadline = now() + options.timeoutMs
  const maxInterval = options.maxIntervalMs ?? 5000
  let interval = options.intervalMs ?? 1000
  const nodes = new Map<string, { reached: boolean; last?: NodeResult }>(
    names.map((name) => [name, { reached: false }]),
  )
  let pending = [...names]

  while (pending.length > 0) {
    try {
      for (const result of await poll(pending)) {
        const entry = nodes.get(result.name)
        if (!entry) continue
        entry.last = result
        if (!result.missing && result.state === options.target) entry.reached = true
      }
      pending = pending.filter((name) => !nodes.get(name)!.reached)
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error
    }
    options.onPoll?.(pending.length, names.length)
    const left = deadline - now()
    if (pending.length === 0 || left <= 0) break
    await sleep(Math.min(interval, left))
    interval = Math.min(maxInterval, Math.round(interval * 1.5))
  }
  return { target: options.target, timeoutMs: options.timeoutMs, nodes }
}
