import type { Action, PowerState } from '../topology/index.ts'

/** What became of one node in one action: the server's answer for it. */
export interface NodeResult {
  readonly name: string
  readonly action: Action
  /** The node's platform, or "missing" when the topology does not know the node. */
  readonly platform: string
  readonly missing: boolean
  readonly success: boolean
  /** `status` only: on, off or unknown. */
  readonly state?: PowerState
  /** The script's exit code; null when it did not run or did not finish. */
  readonly exitCode: number | null
  readonly durationMs: number
  /** Why it failed (last line of output, timeout, missing variable); null on success. */
  readonly message: string | null
  /** Attempts of the action's main script: above 1 when `retries` re-ran it. */
  readonly attempts?: number
  /**
   * When the node's action began (ISO 8601): for power-ons, the moment the power-on rate let
   * it start. Absent when nothing ran.
   */
  readonly startedAt?: string
  /** `shutdown` with `force_after`: the node was still on and was powered off hard. */
  readonly forced?: boolean
  /** The request was abandoned (the client went away) before this node started. */
  readonly cancelled?: true
  /** `status` answered from the last known state (`--cached`): when it was read, and by what. */
  readonly cached?: { readonly seenAt: string; readonly ageMs: number; readonly seenBy: Action }
}

/** The platform power-server 1.0 reported for nodes it did not know. */
export const MISSING_PLATFORM = 'missing'
