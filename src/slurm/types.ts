/** The three programs slurm.conf can name, as `flight-power slurm ACTION` spells them. */
export const SLURM_ACTIONS = ['resume', 'suspend', 'resume-fail'] as const
export type SlurmAction = (typeof SLURM_ACTIONS)[number]

/**
 * What each Slurm call asks of the server. `resume-fail` powers off: Slurm has given up on
 * those nodes and marked them down, and a half-booted cloud node left on only costs money.
 */
export const POWER_ACTION: Record<SlurmAction, 'power_on' | 'power_off'> = {
  resume: 'power_on',
  suspend: 'power_off',
  'resume-fail': 'power_off',
}

/** Where calls are logged unless `--log` says otherwise. */
export const DEFAULT_LOG_FILE = '/var/log/flight-power/slurm.log'

/** Seconds one call may take in total unless `--timeout` says otherwise. */
export const DEFAULT_SLURM_TIMEOUT_SECONDS = 300

/** The syslog tag (journalctl -t flight-power-slurm). */
export const SYSLOG_TAG = 'flight-power-slurm'

/** One node's answer, reduced to what the Slurm log reports. */
export interface NodeReport {
  readonly name: string
  /** Not in the server's topology. */
  readonly missing: boolean
  readonly success: boolean
  readonly message: string | null
  readonly durationMs: number | null
}

/**
 * Ask the power server to act on a Slurm hostlist. Resolves with one report per node, or
 * rejects with a `CliError` (config, network, token) whose `exitCode` the call returns.
 */
export type PowerRequest = (
  action: 'power_on' | 'power_off',
  hostlist: string,
) => Promise<readonly NodeReport[]>
