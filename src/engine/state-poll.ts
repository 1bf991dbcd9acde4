import { errorMessage, type Topology } from '../topology/index.ts'
import { systemClock, type Clock } from './clock.ts'
import type { Engine } from './engine.ts'
import type { EngineLog } from './log.ts'

/** Options of `startStatePoll`. */
export interface StatePollOptions {
  readonly engine: Engine
  readonly getTopology: () => Topology
  /** Seconds between rounds (`state_poll_seconds`); each node is read about this often. */
  readonly intervalSeconds: number
  readonly logger: EngineLog
  readonly clock?: Clock
}

/** A running background poll. */
export interface StatePoll {
  /** Rounds finished so far. */
  readonly rounds: number
  /** Stop after the steps already running; nodes not yet started are cancelled. */
  stop(): void
}

/**
 * Refresh the last known state in the background (SPEC §12): every `intervalSeconds`, a status
 * of each node not read within that time. The engine runs it as background work, so it never
 * holds more than BACKGROUND_SHARE of the global limit and clients' requests keep the rest.
 */
export function startStatePoll(options: StatePollOptions): StatePoll {
  const { engine, getTopology, logger } = options
  const seconds = options.intervalSeconds
  if (!(Number.isFinite(seconds) && seconds > 0))
    throw new RangeError('startStatePoll: "intervalSeconds" must be a positive number')
  const clock = options.clock ?? systemClock
  const controller = new AbortController()
  const signal = controller.signal
  let rounds = 0

  async function round(): Promise<void> {
    const topology = getTopology()
    const maxAgeMs = seconds * 1000
    const names = [...topology.nodes.keys()].filter(
      (name) => engine.lastState.cached(name, maxAgeMs) === undefined,
    )
    if (names.length === 0) return
    const started = clock.now()
    const results = await engine.run({
      action: 'status',
      names,
      topology,
      signal,
      background: true,
    })
    const failed = results.filter((result) => !result.success).length
    logger.debug(
      `state poll: ${names.length} node(s) read, ${failed} unknown, in ${Math.round((clock.now() - started) / 1000)}s`,
    )
  }

  void (async () => {
    while (!signal.aborted) {
      try {
        await round()
        rounds++
      } catch (error) {
        logger.warn(`state poll failed: ${errorMessage(error)}`)
      }
      try {
        await clock.sleep(seconds * 1000, signal)
      } catch {
        return
      }
    }
  })()

  return {
    get rounds() {
      return rounds
    },
    stop: () => controller.abort(),
  }
}
