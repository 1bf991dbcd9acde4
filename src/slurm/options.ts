import { CliError } from '../topology/index.ts'

/** Flags of `flight-power slurm …`; cac hands numbers over already parsed. */
export interface SlurmOptions {
  readonly config?: string
  readonly log?: string | boolean
  readonly timeout?: string | number
  readonly force?: boolean
}

/** A path flag as text: cac makes numbers of numeric-looking values and `true` of bare flags. */
export function pathOption(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined
  if (value === true || value === '') throw new CliError(`${flag} needs a file name`)
  return String(value)
}
