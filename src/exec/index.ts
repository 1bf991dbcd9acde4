/**
 * Runs platform scripts under bash: values only as environment variables, bounded output, a
 * global concurrency limit, one run per node at a time, and a timeout that kills the whole
 * process group.
 */
export { RunnerError } from './errors.ts'
export { createRunner } from './runner.ts'
export { Fifo } from './fifo.ts'
export type { Runner, RunnerOptions, RunRequest, RunResult } from './types.ts'
