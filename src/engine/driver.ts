import type { Node, Platform, ScriptKey } from '../topology/index.ts'

/** One attempt at one script key on one node. */
export interface Step {
  readonly node: Node
  readonly platform: Platform
  readonly key: ScriptKey
  /** The node's variables and the action's parameters, as the driver will see them. */
  readonly env: Readonly<Record<string, string>>
  readonly timeoutMs: number
}

/**
 * What one attempt came to, in the exit-code language of SPEC §4 whatever carried it out:
 * `exitCode` 0 is success (for status: on), the platform's off code is off, null is "did
 * not finish" (timed out, killed, not started).
 */
export interface Attempt {
  readonly exitCode: number | null
  readonly timedOut: boolean
  /** The line a client sees unless the exit means success; null for exit 0. */
  readonly message: string | null
  /** For the server's log: how it ended (`exit code 3`, `timed out`)… */
  readonly how?: string
  /** …and more lines under it (the tail of stderr); never sent to clients. */
  readonly detail?: string
  readonly durationMs: number
}

/**
 * Carries out single steps: a bash script per node (`script-driver.ts`), or a built-in
 * protocol such as Redfish. Everything around a step (the global limit, one action per node,
 * the power-on rate, retries, cancellation, results, the audit line) is the engine's, once.
 */
export interface Driver {
  /** Whether `platform` can carry out `key` at all; the engine says so per node when not. */
  supports(platform: Platform, key: ScriptKey): boolean
  /** Run one step; failures are attempts, never exceptions. */
  attempt(step: Step, signal?: AbortSignal): Promise<Attempt>
}
