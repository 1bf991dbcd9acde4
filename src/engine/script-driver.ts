import type { Runner, RunResult } from '../exec/index.ts'
import type { Attempt, Driver } from './driver.ts'

/** The driver of SPEC §4: the platform's bash script for the key, run by the zx runner. */
export function createScriptDriver(runner: Runner): Driver {
  return {
    supports: (platform, key) => platform.scripts[key] !== undefined,
    async attempt(step) {
      const script = step.platform.scripts[step.key]
      if (script === undefined)
        return notRun(`platform "${step.platform.name}" has no ${step.key} script`)
      const result = await runner.run({
        key: step.node.name,
        script,
        env: step.env,
        timeoutMs: step.timeoutMs,
      })
      return fromRunResult(result, step.timeoutMs / 1000)
    },
  }
}

/** An attempt that never ran a step, for `message`. */
export function notRun(message: string): Attempt {
  return { exitCode: null, timedOut: false, message, durationMs: 0 }
}

/** A script's run as an attempt: the failing line for the client, the stderr tail for the log. */
export function fromRunResult(result: RunResult, timeoutSeconds: number): Attempt {
  const exitCode = result.timedOut ? null : result.exitCode
  const durationMs = Math.round(result.durationMs)
  if (exitCode === 0) return { exitCode, timedOut: false, message: null, durationMs }
  const message = failureMessage(result, timeoutSeconds)
  return {
    exitCode,
    timedOut: result.timedOut,
    message,
    how: describeExit(result),
    detail: stderrTail(result, message),
    durationMs,
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

export function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  const line = lines[lines.length - 1]
  return line === undefined ? undefined : line.length > 500 ? `${line.slice(0, 500)}…` : line
}

export function describeExit(result: RunResult): string {
  if (result.timedOut) return 'timed out'
  if (result.exitCode !== null) return `exit code ${result.exitCode}`
  if (result.signal) return `signal ${result.signal}`
  return 'not run'
}

/** The last few lines of stderr for the log, under the failure line (unless that is all of it). */
export function stderrTail(result: RunResult, message: string): string {
  const lines = result.stderr
    .trimEnd()
    .split('\n')
    .filter((line) => line.trim() !== '')
  if (lines.length === 0 || (lines.length === 1 && lines[0]?.trim() === message)) return ''
  return `\nstderr: ${lines.slice(-10).join('\nstderr: ')}`
}
