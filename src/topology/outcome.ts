import type { Action } from './types.ts'

export type PowerState = 'on' | 'off' | 'unknown'

/** Exit codes of the client, one meaning each, so shell scripts and Slurm can rely on them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  rejected: 4,
  off: 111,
} as const

/** What a script's exit means: `success`, and for `status` the power state it reported. */
export interface Interpretation {
  readonly success: boolean
  readonly state?: PowerState
}

/**
 * The one place script exit codes get their meaning. `null` is a script that did not
 * finish (timed out, killed, never started): a failure, and for `status` an unknown state.
 */
export function interpretExit(
  action: Action,
  exitCode: number | null,
  statusOffExitCode: number,
): Interpretation {
  if (action !== 'status') return { success: exitCode === 0 }
  if (exitCode === 0) return { success: true, state: 'on' }
  if (exitCode === statusOffExitCode) return { success: true, state: 'off' }
  return { success: false, state: 'unknown' }
}

/** The per-node facts the client's exit code depends on. */
export interface NodeOutcome {
  readonly missing: boolean
  readonly success: boolean
  readonly state?: PowerState
}

/**
 * The client's exit code for one action over many nodes: 1 if any node failed or is unknown
 * to the server; for `status`, 111 if every node answered and at least one is off; else 0.
 */
export function exitCodeFor(action: Action, outcomes: Iterable<NodeOutcome>): number {
  let anyOff = false
  for (const outcome of outcomes) {
    if (outcome.missing || !outcome.success) return EXIT.failed
    if (action === 'status' && outcome.state === 'off') anyOff = true
  }
  return anyOff ? EXIT.off : EXIT.ok
}
