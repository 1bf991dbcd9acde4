import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Runner, RunResult } from '../exec/index.ts'
import { systemClock, type Clock } from './clock.ts'
import type { Attempt, Driver, Step } from './driver.ts'
import type { EngineLog } from './log.ts'
import { parseRangedOutput, rangedInput, type RangedLine } from './ranged-io.ts'
import { errorMessage } from '../topology/index.ts'
import { describeExit, lastLine, notRun, stderrTail } from './script-driver.ts'

/**
 * Exit code (BSD's EX_UNAVAILABLE) by which a ranged script says "not done here": with no
 * lines at all, its tool is missing and the chunk's per-node scripts run instead; on one
 * node's line, it did nothing to that node and the node's per-node script runs instead.
 */
export const EXIT_UNAVAILABLE = 69
/** How long a ranged script that said its tool is missing is not tried again. */
const UNAVAILABLE_MS = 60_000
/** How long steps may keep arriving to join a chunk after its first. */
const DEFAULT_WINDOW_MS = 3

/** Options of `createRangedDriver`. */
export interface RangedDriverOptions {
  /** Runs ranged scripts: one run per chunk. */
  readonly runner: Runner
  /** Carries out steps with no ranged script, and those a ranged script hands back. */
  readonly fallback: Driver
  readonly logger: EngineLog
  readonly clock?: Clock
  /** Milliseconds a chunk waits for more steps after its first (default 3). */
  readonly windowMs?: number
}

interface Waiting {
  readonly step: Step
  readonly resolve: (attempt: Attempt) => void
}

/**
 * The driver of ranged scripts (SPEC §14): steps for the same platform, script key and
 * action parameters that arrive together, up to the platform's `ranged_chunk`, become one
 * process; each step's attempt resolves from that process's line for its node. The engine
 * still takes one slot and the node's lock per step, so its limits hold as they are.
 */
export function createRangedDriver(options: RangedDriverOptions): Driver {
  const { runner, fallback, logger } = options
  const clock = options.clock ?? systemClock
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS
  if (!(windowMs >= 0)) throw new RangeError('createRangedDriver: "windowMs" must be 0 or more')
  const pending = new Map<string, Waiting[]>()
  const unavailableUntil = new Map<string, number>()
  let chunks = 0

  const ranged = (step: Step): string | undefined => {
    const script = step.platform.ranged[step.key]
    if (script === undefined) return undefined
    const until = unavailableUntil.get(toolKey(step))
    return until !== undefined && clock.now() < until ? undefined : script
  }

  const flush = (key: string, chunk: Waiting[]) => {
    if (pending.get(key) === chunk) pending.delete(key)
    void runChunk(chunk).catch((error: unknown) => {
      const message = `ranged ${chunk[0]?.step.key} script failed: ${errorMessage(error)}`
      logger.warn(message)
      for (const { resolve } of chunk) resolve(notRun(message))
    })
  }

  async function runChunk(chunk: readonly Waiting[]): Promise<void> {
    const first = chunk[0]!.step
    const steps = chunk.map(({ step }) => step)
    const script = ranged(first)
    const input = rangedInput(steps)
    if (script === undefined || input === null) return handBack(chunk)
    const dir = await mkdtemp(join(tmpdir(), 'flight-power-ranged-'))
    let result: RunResult
    try {
      // The file may hold passwords: the server's user alone reads it, and only while it runs.
      await chmod(dir, 0o700)
      const file = join(dir, 'nodes')
      await writeFile(file, input, { mode: 0o600 })
      result = await runner.run({
        key: `ranged:${first.platform.name}:${first.key}:${++chunks}`,
        script,
        env: {
          ...actionParams(first),
          FLIGHT_POWER_NODES: file,
          FLIGHT_POWER_KEY: first.key,
          FLIGHT_POWER_TIMEOUT: String(first.timeoutMs / 1000),
        },
        timeoutMs: first.timeoutMs,
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const lines = parseRangedOutput(result.stdout, new Set(steps.map((step) => step.node.name)))
    if (lines.size === 0 && result.exitCode === EXIT_UNAVAILABLE) {
      logger.info(
        `${first.platform.name}: ranged ${first.key} script exited ${EXIT_UNAVAILABLE} (its tool is not here): per-node scripts for a minute`,
      )
      unavailableUntil.set(toolKey(first), clock.now() + UNAVAILABLE_MS)
      return handBack(chunk)
    }
    logger.debug(
      `${first.platform.name}: ranged ${first.key} for ${steps.length} nodes: ${describeExit(result)}, ${lines.size} lines, ${Math.round(result.durationMs)}ms`,
    )
    await Promise.all(
      chunk.map(async ({ step, resolve }) => {
        const line = lines.get(step.node.name)
        if (line?.exitCode === EXIT_UNAVAILABLE) resolve(await fallback.attempt(step))
        else resolve(fromLine(line, result, step))
      }),
    )
  }

  /** The per-node scripts carry these steps out after all. */
  async function handBack(chunk: readonly Waiting[]): Promise<void> {
    await Promise.all(chunk.map(async ({ step, resolve }) => resolve(await fallback.attempt(step))))
  }

  return {
    supports: (platform, key) =>
      platform.ranged[key] !== undefined || fallback.supports(platform, key),
    attempt(step, signal) {
      if (ranged(step) === undefined) return fallback.attempt(step, signal)
      return new Promise<Attempt>((resolve) => {
        const key = chunkKey(step)
        let chunk = pending.get(key)
        if (chunk === undefined) {
          const created: Waiting[] = []
          pending.set(key, created)
          void clock.sleep(windowMs).then(() => {
            if (pending.get(key) === created) flush(key, created)
          })
          chunk = created
        }
        chunk.push({ step, resolve })
        if (chunk.length >= step.platform.rangedChunk) flush(key, chunk)
      })
    },
  }
}

/** One node's attempt from its line in the chunk's output, or from the chunk's end without one. */
function fromLine(line: RangedLine | undefined, result: RunResult, step: Step): Attempt {
  const { key } = step
  const durationMs = Math.round(result.durationMs)
  if (line?.exitCode === 0) return { exitCode: 0, timedOut: false, message: null, durationMs }
  if (line !== undefined) {
    const message = line.message ?? `exit code ${line.exitCode}`
    return {
      exitCode: line.exitCode,
      timedOut: false,
      message,
      how: `exit code ${line.exitCode} from the ranged ${key} script`,
      detail: stderrTail(result, message),
      durationMs,
    }
  }
  if (result.timedOut) {
    const message = `timed out after ${step.timeoutMs / 1000}s`
    return { exitCode: null, timedOut: true, message, how: 'ranged script timed out', durationMs }
  }
  const message = `no result from the ranged ${key} script`
  const why = result.error ?? lastLine(result.stderr)
  return {
    exitCode: null,
    timedOut: false,
    message,
    how: `ranged script ${describeExit(result)}${why ? `: ${why}` : ''}`,
    detail: stderrTail(result, message),
    durationMs,
  }
}

/** Steps that may share a process: same platform, key, timeout and action parameters. */
function chunkKey(step: Step): string {
  return JSON.stringify([step.platform.name, step.key, step.timeoutMs, actionParams(step)])
}

function toolKey(step: Step): string {
  return `${step.platform.name}\0${step.key}`
}

/** The step's environment less the node's own variables: the action's parameters. */
function actionParams(step: Step): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(step.env))
    if (!step.platform.variables.includes(key)) params[key] = value
  return params
}
