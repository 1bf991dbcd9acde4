/**
 * The execution model (SPEC §14): how one action is carried out on many nodes, whatever
 * carries it out. The global limit, one action per node, the power-on rate, retries,
 * cancellation, results and the audit line live here, once; a driver (`Driver`) carries out
 * single steps. The server's routes call this room; it calls `src/exec` and `src/topology`.
 */
export { auditLine } from './audit.ts'
export { systemClock, type Clock } from './clock.ts'
export type { Attempt, Driver, Step } from './driver.ts'
export { createEngine, type ActionRequest, type Engine, type EngineOptions } from './engine.ts'
export { LastState } from './last-state.ts'
export { startStatePoll, type StatePoll } from './state-poll.ts'
export type { EngineLog } from './log.ts'
export { MISSING_PLATFORM, type NodeResult } from './node-result.ts'
