import type { Runner, RunResult } from '../exec/index.ts'
import type { Action, Node, Topology } from '../topology/index.ts'
import { interpretExit, MissingVariableError, nodeEnvironment } from '../topology/index.ts'
import type { EngineLog } from './log.ts'
import { MISSING_PLATFORM, type NodeResult } from './node-result.ts'

/** What running an action needs. */
export interface ActionContext {
  readonly topology: Topology
  readonly runner: Runner
  readonly logger: EngineLog
}

/**
 * Run `action` on every named node at once (the runner enforces the global limit and one run
 * per node) and return one result per name, in the given order. Never throws for a node.
 */
export function runAction(
  action: Action,
  names: readonly string[],
  context: ActionContext,
): Promise<NodeResult[]> {
  return Promise.all(names.map((name) => runOne(action, name, context)))
}

async function runOne(action: Action, name: string, context: ActionContext): Promise<NodeResult> {
  const node = context.topology.nodes.get(name)
  if (!node) {
    return {
      name,
      action,
      platform: MISSING_PLATFORM,
      missing: true,
      success: false,
      ...(action === 'status' ? { state: 'unknown' as const } : {}),
      exitCode: null,
      durationMs: 0,
      message: `node "${name}" is not in the topology`,
    }
  }
  const notRun = (message: string): NodeResult => {
    context.logger.warn(`${name}: ${action} not run: ${message}`)
    return failed(node, action, null, 0, message)
  }
  const platform = context.topology.platforms.get(node.platform)
  if (!platform) return notRun(`platform "${node.platform}" is not defined`)
  const script = platform.scripts[action]
  if (script === undefined) return notRun(`platform "${platform.name}" defines no ${action} script`)
  let env: Record<string, string>
  try {
    env = nodeEnvironment(node, platform)
  } catch (error) {
    if (error instanceof MissingVariableError) return notRun(error.message)
    throw error
  }

  const timeoutSeconds = platform.timeouts[action]
  const result = await context.runner.run({
    key: name,
    script,
    env,
    timeoutMs: timeoutSeconds * 1000,
  })
  const { success, state } = interpretExit(
    action,
    result.timedOut ? null : result.exitCode,
    platform.statusOffExitCode,
  )
  const durationMs = Math.round(result.durationMs)
  if (success) {
    context.logger.debug(`${name}: ${action} exit ${result.exitCode} in ${durationMs}ms`)
    return {
      name,
      action,
      platform: node.platform,
      missing: false,
      success,
      ...(state ? { state } : {}),
      exitCode: result.exitCode,
      durationMs,
      message: null,
    }
  }
  const message = failureMessage(result, timeoutSeconds)
  context.logger.warn(
    `${name}: ${action} failed (${describeExit(result)}): ${message}${stderrTail(result, message)}`,
  )
  return failed(node, action, result.timedOut ? null : result.exitCode, durationMs, message)
}

function failed(
  node: Node,
  action: Action,
  exitCode: number | null,
  durationMs: number,
  message: string,
): NodeResult {
  return {
    name: node.name,
    action,
    platform: node.platform,
    missing: false,
    success: false,
    ...(action === 'status' ? { state: 'unknown' as const } : {}),
    exitCode,
    durationMs,
    message,
  }
}

/** The line a client shows: the script's last words, or why it did not finish. */
function failureMessage(result: RunResult, timeoutSeconds: number): string {
  if (result.timedOut) return `timed out after ${timeoutSeconds}s`
  if (result.error) return result.error
  const line = lastLine(result.stderr) ?? lastLine(result.stdout)
  if (line) return line
  if (result.signal) return `killed by ${result.signal}`
  return `exit code ${result.exitCode}`
}

function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  const line = lines[lines.length - 1]
  return line === undefined ? undefined : line.length > 500 ? `${line.slice(0, 500)}…` : line
}

function describeExit(result: RunResult): string {
  if (result.timedOut) return 'timed out'
  if (result.exitCode !== null) return `exit code ${result.exitCode}`
  if (result.signal) return `signal ${result.signal}`
  return 'not run'
}

/** The last few lines of stderr for the log, under the failure line (unless that is all of it). */
function stderrTail(result: RunResult, message: string): string {
  const lines = result.stderr
    .trimEnd()
    .split('\n')
    .filter((line) => line.trim() !== '')
  if (lines.length === 0 || (lines.length === 1 && lines[0]?.trim() === message)) return ''
  return `\nstderr: ${lines.slice(-10).join('\nstderr: ')}`
}
