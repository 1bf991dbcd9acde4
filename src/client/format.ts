import { compareNatural, foldHostlist, type Action } from '../topology/index.ts'
import { formatAge } from './cache-flags.ts'
import type { WaitResult } from './wait.ts'
import type { NodeResult } from './wire.ts'

/** How a row reads at a glance; decides its colour and where its summary line goes. */
type Tone = 'good' | 'off' | 'bad'

/** One node's line of output, in power-client's words. */
export interface Row {
  readonly name: string
  /** `On`, `Starting`, `Failed to stop`, … */
  readonly word: string
  /** The server's message or other explanation, shown after the word. */
  readonly detail: string | null
  readonly tone: Tone
}

const DONE: Record<Exclude<Action, 'status'>, [string, string]> = {
  power_on: ['Starting', 'Failed to start'],
  power_off: ['Stopping', 'Failed to stop'],
  restart: ['Restarting', 'Failed to restart'],
  cycle: ['Cycling', 'Failed to cycle'],
  shutdown: ['Shutting down', 'Failed to shut down'],
  identify: ['Identifying', 'Failed to identify'],
  bootdev: ['Boot device set', 'Failed to set boot device'],
}

const STATE_WORD = { on: 'On', off: 'Off', unknown: 'Unknown' } as const

/** The row for one node's result; after `--wait`, what the node reached instead of the action's word. */
export function describeResult(action: Action, result: NodeResult, wait?: WaitResult): Row {
  const { name, message } = result
  if (result.missing)
    return { name, word: 'Missing', detail: 'not known to the server', tone: 'bad' }
  if (action === 'status') {
    const state = result.state ?? 'unknown'
    return {
      name,
      word: STATE_WORD[state],
      detail:
        state === 'unknown'
          ? message
          : result.ageSeconds !== undefined
            ? `cached, read ${formatAge(result.ageSeconds)} ago`
            : null,
      tone: state === 'on' ? 'good' : state === 'off' ? 'off' : 'bad',
    }
  }
  const [started, failed] = DONE[action]
  if (!result.success) return { name, word: failed, detail: message, tone: 'bad' }
  const waited = wait?.nodes.get(name)
  if (result.forced && !wait)
    return { name, word: 'Powered off', detail: 'it did not shut down in time', tone: 'good' }
  if (!wait || !waited) return { name, word: started, detail: null, tone: 'good' }
  if (waited.reached) return { name, word: STATE_WORD[wait.target], detail: null, tone: 'good' }
  const last = waited.last
  const detail = [
    `gave up after ${Math.round(wait.timeoutMs / 1000)}s`,
    last?.state === 'unknown' ? last.message : null,
  ]
  return {
    name,
    word: `Still ${last?.state ?? 'unknown'}`,
    detail: detail.filter((part) => part).join(': '),
    tone: 'bad',
  }
}

/** Rows in natural order (node2 before node10), whatever order the server answered in. */
export function sortRows(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => compareNatural(a.name, b.name))
}

/** Options of the renderers. */
export interface RenderOptions {
  readonly colour: boolean
}

/** One aligned line per node: `node01  Failed to start: ipmitool: connection timed out`. */
export function renderTable(rows: readonly Row[], options: RenderOptions): string {
  const width = rows.reduce((widest, row) => Math.max(widest, row.name.length), 0)
  return rows
    .map((row) => {
      const word = paint(row.word, row.tone, options.colour)
      return `${row.name.padEnd(width)}  ${word}${row.detail ? `: ${row.detail}` : ''}`.trimEnd()
    })
    .map((line) => `${line}\n`)
    .join('')
}

const TONE_ORDER: Record<Tone, number> = { good: 0, off: 1, bad: 2 }

/** One line per outcome with its nodes folded into ranges: `on: node[01-05,07]`. */
export function renderSummary(rows: readonly Row[], options: RenderOptions): string {
  const byWord = new Map<string, { tone: Tone; names: string[] }>()
  for (const row of rows) {
    const entry = byWord.get(row.word) ?? { tone: row.tone, names: [] }
    entry.names.push(row.name)
    byWord.set(row.word, entry)
  }
  return [...byWord]
    .sort(
      ([a, x], [b, y]) =>
        TONE_ORDER[x.tone] - TONE_ORDER[y.tone] || rank(a) - rank(b) || compareNatural(a, b),
    )
    .map(
      ([word, { tone, names }]) =>
        `${paint(`${word.toLowerCase()}:`, tone, options.colour)} ${foldNames(names)}\n`,
    )
    .join('')
}

// Missing nodes last: they are the most likely typo and should be the line the eye ends on.
function rank(word: string): number {
  return word === 'Missing' ? 1 : 0
}

/** Names folded into hostlist ranges, or listed as they are when the grammar cannot fold them. */
export function foldNames(names: readonly string[]): string {
  try {
    return foldHostlist(names)
  } catch {
    // A name the hostlist grammar rejects (an old server may hold one) is shown as it is.
    return [...names].sort(compareNatural).join(',')
  }
}

/**
 * `--json`, stable for scripts (documented in the README):
 *
 * ```
 * {"action": "status" | "on" | "off" | "restart",
 *  "nodes": [{"name", "platform", "missing", "success", "state", "exitCode", "durationMs",
 *             "message", "forced"?, "attempts"?, "startedAt"?, "cached"?, "ageSeconds"?,
 *             "reached"?}],
 *  "wait"?: {"target": "on" | "off", "timeoutSeconds"},
 *  "exitCode": 0 | 1 | 111}
 * ```
 * Nodes come in natural order; absent values are `null`, never left out. `state` is `on`,
 * `off`, `unknown` or `null` (missing nodes; power actions on an old server). With `--wait`,
 * `state` is the last state seen and `reached` says whether the node got to the target.
 */
export function renderJson(
  action: Action,
  results: readonly NodeResult[],
  options: { exitCode: number; wait?: WaitResult },
): string {
  const { wait } = options
  const nodes = [...results]
    .sort((a, b) => compareNatural(a.name, b.name))
    .map((result) => {
      const waited = wait?.nodes.get(result.name)
      const node = {
        name: result.name,
        platform: result.platform,
        missing: result.missing,
        success: result.success,
        state: waited?.last?.state ?? result.state,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        message: result.message,
        ...(result.forced !== undefined ? { forced: result.forced } : {}),
        ...(result.attempts !== undefined ? { attempts: result.attempts } : {}),
        ...(result.startedAt !== undefined ? { startedAt: result.startedAt } : {}),
        ...(result.ageSeconds !== undefined ? { cached: true, ageSeconds: result.ageSeconds } : {}),
      }
      return wait ? { ...node, reached: waited?.reached ?? false } : node
    })
  const waitPart = wait
    ? { wait: { target: wait.target, timeoutSeconds: wait.timeoutMs / 1000 } }
    : {}
  return `${JSON.stringify({ action: ACTION_NAME[action], nodes, ...waitPart, exitCode: options.exitCode }, null, 2)}\n`
}

/** The command name of an action, as users type it. */
export const ACTION_NAME: Record<Action, string> = {
  status: 'status',
  power_on: 'on',
  power_off: 'off',
  restart: 'restart',
  cycle: 'cycle',
  shutdown: 'shutdown',
  identify: 'identify',
  bootdev: 'bootdev',
}

const COLOURS: Record<Tone, string> = { good: '\u001b[32m', off: '\u001b[33m', bad: '\u001b[31m' }

function paint(text: string, tone: Tone, colour: boolean): string {
  return colour ? `${COLOURS[tone]}${text}\u001b[0m` : text
}

/** Colour only for a terminal, and never when NO_COLOR is set (no-color.org) or TERM is dumb. */
export function wantColour(
  isTty: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR) return false
  return !!env.FORCE_COLOR || (isTty && env.TERM !== 'dumb')
}
