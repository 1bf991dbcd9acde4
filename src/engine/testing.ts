import { parseTopology, type ScriptKey, type Topology } from '../topology/index.ts'
import type { Clock } from './clock.ts'
import type { Attempt, Driver, Step } from './driver.ts'

/** A clock that moves only when `settle` runs out of other work: no test ever sleeps. */
export function fakeClock(): Clock & { settle(): Promise<void> } {
  let now = 0
  const timers: { at: number; fire: () => void }[] = []
  const idle = async () => {
    // Let every promise chain that can move, move, before time does.
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        const timer = { at: now + ms, fire: resolve }
        timers.push(timer)
        signal?.addEventListener('abort', () => {
          timers.splice(timers.indexOf(timer), 1)
          reject(signal.reason as Error)
        })
      })
    },
    async settle() {
      for (;;) {
        await idle()
        timers.sort((a, b) => a.at - b.at)
        const next = timers.shift()
        if (next === undefined) return
        now = Math.max(now, next.at)
        next.fire()
      }
    },
  }
}

/** A step the fake driver saw, with the clock's time when it began and ended. */
export interface SeenStep {
  readonly node: string
  readonly key: ScriptKey
  readonly env: Readonly<Record<string, string>>
  readonly at: number
}

/**
 * A driver answering from `answer` (exit 0 by default), recording every step. Steps of
 * platforms without a script for the key are unsupported, as with the script driver.
 */
export function fakeDriver(
  clock: Clock,
  answer: (step: Step, count: number) => Partial<Attempt> | Promise<Partial<Attempt>> = () => ({}),
): Driver & { steps: SeenStep[]; running: number; maxRunning: number } {
  const steps: SeenStep[] = []
  const counts = new Map<string, number>()
  const driver = {
    steps,
    running: 0,
    maxRunning: 0,
    supports: (platform: Step['platform'], key: ScriptKey) => platform.scripts[key] !== undefined,
    async attempt(step: Step): Promise<Attempt> {
      const id = `${step.node.name} ${step.key}`
      const count = (counts.get(id) ?? 0) + 1
      counts.set(id, count)
      steps.push({ node: step.node.name, key: step.key, env: step.env, at: clock.now() })
      driver.running++
      driver.maxRunning = Math.max(driver.maxRunning, driver.running)
      try {
        const partial = await answer(step, count)
        const exitCode = partial.exitCode === undefined ? 0 : partial.exitCode
        return {
          exitCode,
          timedOut: false,
          message: exitCode === 0 ? null : `exit ${exitCode}`,
          durationMs: 5,
          ...partial,
        }
      } finally {
        driver.running--
      }
    },
  }
  return driver
}

/** A topology of `count` nodes n01… on platform `p`, whose YAML text `platform` is. */
export function topologyOf(count: number, platform: string, extra = ''): Topology {
  const nodes = Array.from(
    { length: count },
    (_, i) => `  n${String(i + 1).padStart(2, '0')}: { platform: p }`,
  )
  return parseTopology(`static_nodes:\n${nodes.join('\n')}\nplatforms:\n  p: ${platform}\n${extra}`)
}
