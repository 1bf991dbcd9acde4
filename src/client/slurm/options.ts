import { CliError } from '../../topology/index.ts'

/** Flags of `flight-power slurm …`; cac hands numbers over already parsed. */
export interface SlurmOptions {
  readonly config?: string
  readonly log?: string | boolean
  readonly timeout?: string | number
  readonly force?: boolean
}

/** `--timeout` in seconds: a positive number, or the default when absent. */
export function parseTimeoutSeconds(value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const seconds = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError(`Invalid --timeout "${value}": expected a positive number of seconds`)
  }
  return seconds
}

/** A path flag as text: cac makes numbers of numeric-looking values and `true` of bare flags. */
export function pathOption(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined
  if (value === true || value === '') throw new CliError(`${flag} needs a file name`)
  return String(value)
}
