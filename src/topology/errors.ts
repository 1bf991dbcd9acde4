import { FlightPowerError } from './flight-power-error.ts'

/** One thing wrong with a topology, located as precisely as the YAML allows. */
export interface TopologyProblem {
  /** 1-based line, or 0 when the problem has no place in the file (e.g. it cannot be read). */
  readonly line: number
  /** Dotted path of the offending key, e.g. `platforms.ipmi.status`. */
  readonly key: string
  readonly message: string
}

/** A topology that cannot be used; `problems` holds every error found, not just the first. */
export class TopologyError extends FlightPowerError {
  static override code = 'ERR_TOPOLOGY'
  readonly source: string
  readonly problems: readonly TopologyProblem[]

  constructor(source: string, problems: readonly TopologyProblem[], options?: ErrorOptions) {
    const first = problems[0]
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
    super(
      `Cannot load topology "${source}": ${first ? formatProblem(first) : 'unknown error'}${more}`,
      options,
    )
    this.source = source
    this.problems = problems
  }
}

/** `FILE:12: platforms.ipmi.status: must be a string`: where `check` and the server's log say it. */
export function locateProblem(source: string, problem: TopologyProblem): string {
  const where = problem.line > 0 ? `${source}:${problem.line}` : source
  return `${where}: ${formatProblem({ ...problem, line: 0 })}`
}

/** `line 12: platforms.ipmi.status: must be a string`, the form `check` prints after the file name. */
export function formatProblem(problem: TopologyProblem): string {
  const where = problem.line > 0 ? `line ${problem.line}: ` : ''
  const key = problem.key ? `${problem.key}: ` : ''
  return `${where}${key}${problem.message}`
}
