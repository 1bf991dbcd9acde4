/**
 * The execution model (SPEC §14): how one action is carried out on many nodes, whatever carries
 * it out. The server's routes, and later the Slurm programs and background polling, call this
 * room; it calls `src/exec` and `src/topology`, never the other way round.
 */
export { auditLine } from './audit.ts'
export type { EngineLog } from './log.ts'
export { MISSING_PLATFORM, type NodeResult } from './node-result.ts'
export { runAction, type ActionContext } from './run-action.ts'
