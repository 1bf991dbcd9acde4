import {
  actionParamsBody,
  cliSeconds,
  EXIT,
  exitCodeFor,
  type Action,
  type ActionParams,
} from '../../topology/index.ts'
import { cacheQuery } from '../cache-flags.ts'
import { canPrompt, confirm, CONFIRM_ABOVE } from '../confirm.ts'
import { TargetError, UnparsedTargetsError } from '../errors.ts'
import { legacyRetry, requireGroups } from '../legacy.ts'
import {
  describeResult,
  foldNames,
  renderJson,
  renderSummary,
  renderTable,
  sortRows,
  wantColour,
} from '../format.ts'
import { ACTION_ROUTE, type Request } from '../http.ts'
import type { ClientIo } from '../io.ts'
import { startProgress } from '../progress.ts'
import { checkTargets, type TargetQuery } from '../targets.ts'
import { WAIT_TARGET, waitForState, type WaitResult } from '../wait.ts'
import { parseCommandResults, parseGroupList, type NodeResult } from '../wire.ts'
import { runLiveAction } from './live-action.ts'
import { openSession, type CommonOptions } from './session.ts'

/** Flags of `status`, `on`, `off` and `restart`. */
export interface PowerOptions extends CommonOptions {
  readonly groups?: boolean
  readonly summary?: boolean
  readonly wait?: boolean
  readonly waitTimeout?: string | number
  readonly yes?: boolean
  readonly stream?: boolean
  readonly cached?: boolean
  readonly maxAge?: string | number
}

/** Seconds `--wait` allows unless `--wait-timeout` says otherwise: cloud instances take minutes. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 300

const DOING: Record<Action, string> = {
  status: 'Asking for the power state of',
  power_on: 'Powering on',
  power_off: 'Powering off',
  restart: 'Restarting',
  cycle: 'Power-cycling',
  shutdown: 'Shutting down',
  identify: 'Setting the identify light of',
  bootdev: 'Setting the next boot device of',
}

/** Actions that take down running nodes: confirmed on a terminal above CONFIRM_ABOVE nodes. */
const CONFIRMED: Partial<Record<Action, string>> = {
  power_off: 'Power off',
  restart: 'Restart',
  cycle: 'Power-cycle',
  shutdown: 'Shut down',
}

/**
 * Run one action over the targets and print the outcome; returns the SPEC §8 exit code.
 * Targets are checked before the configuration is read, so a typo is reported even on a
 * machine without a config.
 */
export async function runPower(
  action: Action,
  args: readonly string[],
  options: PowerOptions,
  io: ClientIo,
  params: ActionParams = {},
): Promise<number> {
  if (options.json && options.summary)
    throw new TargetError('--json and --summary cannot be used together: choose one')
  for (const other of ['json', 'summary', 'wait'] as const)
    if (options.stream && options[other])
      throw new TargetError(`--stream and --${other} cannot be used together: choose one`)
  const targets = checkTargets(args, { groups: options.groups })
  const cache = cacheQuery(action, options)
  const waitTimeout = cliSeconds(
    options.waitTimeout,
    '--wait-timeout',
    DEFAULT_WAIT_TIMEOUT_SECONDS,
  )
  const { config, request } = await openSession(options, io)

  const verb = CONFIRMED[action]
  if (verb && !options.yes && canPrompt(!!io.stdin.isTTY, !!io.stderr.isTTY)) {
    const names = await countTargets(targets, request)
    if (names.length > CONFIRM_ABOVE) {
      const question = `${verb} ${names.length} nodes: ${foldNames(names)}?`
      if (!(await confirm(question, { input: io.stdin, output: io.stderr }))) {
        io.stderr.write('Aborted: no node was touched\n')
        return EXIT.failed
      }
    }
  }

  const { method, path } = ACTION_ROUTE[action]
  const send = (query: TargetQuery['query']) =>
    runLiveAction(
      request,
      {
        action,
        method,
        path,
        query: { ...query, ...cache },
        body: method === 'POST' ? actionParamsBody(params) : undefined,
      },
      { config, doing: `${DOING[action]} ${args.join(' ')}`, stream: !!options.stream },
      io,
    )
  let results: NodeResult[]
  try {
    results = await send(targets.query)
  } catch (error) {
    // Refused before acting (a 400): sending again in a form power-server 1.0 parses is safe.
    if (!(error instanceof UnparsedTargetsError)) throw error
    results = await send(await legacyRetry(error, targets, request))
  }
  // A server without the named groups (power-server 1.0 ignores ?groups=) answers nothing.
  if (results.length === 0) await requireGroups(targets, request)

  let wait: WaitResult | undefined
  const target = WAIT_TARGET[action]
  if (options.wait && target) {
    const names = results
      .filter((result) => result.success && !result.missing)
      .map((result) => result.name)
    let pending = names.length
    const waiting = startProgress(
      () => `Waiting for ${pending} of ${names.length} nodes to be ${target}`,
      io.stderr,
      { delayMs: 0 },
    )
    try {
      wait = await waitForState(
        names,
        async (batch) => {
          // Status acts on nothing: a server refusing ranges (power-server 1.0) gets names.
          const ask = (nodes: string) => request('GET', '/', { nodes })
          const reply = await ask(foldNames(batch)).catch((error: unknown) => {
            if (error instanceof UnparsedTargetsError) return ask(batch.join(','))
            throw error
          })
          return parseCommandResults(reply, 'status')
        },
        { target, timeoutMs: waitTimeout * 1000, onPoll: (left) => (pending = left) },
      )
    } finally {
      waiting.stop()
    }
  }

  const exitCode = wait
    ? waitExitCode(results, wait)
    : exitCodeFor(
        action,
        results.map((result) => ({ ...result, state: result.state ?? undefined })),
      )
  if (options.json) {
    io.stdout.write(renderJson(action, results, { exitCode, wait }))
    return exitCode
  }
  if (results.length === 0) io.stderr.write('flight-power: no nodes matched the targets\n')
  if (options.stream) return exitCode
  const rows = sortRows(results.map((result) => describeResult(action, result, wait)))
  const colour = wantColour(!!io.stdout.isTTY, io.env)
  io.stdout.write(options.summary ? renderSummary(rows, { colour }) : renderTable(rows, { colour }))
  return exitCode
}

/** After `--wait`: 0 only when every node was known, accepted the action and got there. */
function waitExitCode(results: readonly NodeResult[], wait: WaitResult): number {
  const failed = results.some(
    (result) => result.missing || !result.success || !wait.nodes.get(result.name)?.reached,
  )
  return failed ? EXIT.failed : EXIT.ok
}

/** Every node the targets name, asking the server for group members only when groups are named. */
async function countTargets(targets: TargetQuery, request: Request): Promise<string[]> {
  const names = new Set(targets.names)
  if (targets.groups.length > 0) {
    const members = new Map(
      parseGroupList(await request('GET', '/groups')).map((group) => [group.name, group.nodes]),
    )
    for (const group of targets.groups) for (const name of members.get(group) ?? []) names.add(name)
  }
  return [...names]
}
