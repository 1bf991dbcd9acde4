/**
 * Summary rows the suite runner collects: each bench appends its headline figures, one JSON
 * object a line, to the file named by BENCH_RESULTS (when set), and bench/run.ts turns them
 * into one Markdown table. Run alone, a bench just prints.
 */
import { appendFileSync } from 'node:fs'

/** One line of the summary table. */
export interface SummaryRow {
  /** Which bench: "Fan-out", "IPMI", "Server", "Start-up", "Limits". */
  readonly section: string
  /** What was measured, e.g. "status @all, N=1,000, L=100 ms". */
  readonly what: string
  /** The flight-power figure, formatted. */
  readonly value: string
  /** The baselines beside it, formatted ("ideal 2.00 s; xargs 2.05 s"). */
  readonly baseline: string
  /** The ratio(s) against the baselines, formatted. */
  readonly ratio: string
  /** The goal from issue 6, if this row has one. */
  readonly goal?: string
  /** Whether the goal was met; undefined when there is no goal. */
  readonly met?: boolean
  /** Repetitions and anything a reader needs to judge the figure. */
  readonly note?: string
}

/** Record a summary row for bench/run.ts (a no-op unless BENCH_RESULTS names a file). */
export function recordRow(row: SummaryRow): void {
  const file = process.env.BENCH_RESULTS
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`)
}

/** Whether the bench was asked for its quick, small-size variant (`--quick` or BENCH_QUICK=1). */
export function quickMode(): boolean {
  return process.argv.includes('--quick') || process.env.BENCH_QUICK === '1'
}
