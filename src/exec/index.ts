/**
 * Runs platform scripts under bash: values only as environment variables, bounded output, a
 * global concurrency limit, one run per node at a time, and a timeout that kills the whole
 * process group. When a run ends, every process it started is killed, even one that left the
 * group with setsid: each run's processes carry a marker in their environment.
 */
export { createRunner } from './runner.ts'
export { Fifo } from './fifo.ts'
export type { Runner, RunnerOptions, RunRequest, RunResult } from './types.ts'
