import type { Action, ScriptKey } from '../topology/index.ts'
import type { Attempt } from './driver.ts'
import type { NodeResult } from './node-result.ts'

/** One step as an observer sees it: which script key, on which platform, for which action. */
export interface StepSeen {
  readonly node: string
  readonly platform: string
  readonly action: Action
  readonly key: ScriptKey
  readonly attempt: Attempt
}

/**
 * Told of every result and every step, whatever the route or driver: how metrics are fed
 * without a second copy of the engine's bookkeeping. Observers must not throw.
 */
export interface EngineObserver {
  result?(result: NodeResult): void
  step?(step: StepSeen): void
}
