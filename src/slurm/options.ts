/** Flags of `flight-power slurm …`; cac hands numbers over already parsed. */
export interface SlurmOptions {
  readonly config?: string
  readonly log?: string | boolean
  readonly timeout?: string | number
  readonly force?: boolean
}
