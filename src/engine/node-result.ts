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
}

/** The platform power-server 1.0 reported for nodes it did not know. */
export const MISSING_PLATFORM = 'missing'
