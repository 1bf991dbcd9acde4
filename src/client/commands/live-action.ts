import type { Action } from '../../topology/index.ts'
import type { ClientConfig } from '../config.ts'
import { InterruptedError } from '../errors.ts'
import { describeResult, renderTable, wantColour } from '../format.ts'
import type { Request } from '../http.ts'
import { catchInterrupt } from '../interrupt.ts'
import type { ClientIo } from '../io.ts'
import { requestLive, type LiveCall, type LiveProgress } from '../live.ts'
import { startProgress } from '../progress.ts'
import type { NodeResult } from '../wire.ts'

/** Actions that wait for the power-on rate: their progress line says how many do. */
const RATED: ReadonlySet<Action> = new Set(['power_on', 'restart', 'cycle'])

/** Options of `runLiveAction`. */
export interface LiveActionOptions {
  readonly config: ClientConfig
  /** What the progress line says before the counts, e.g. "Powering on @all". */
  readonly doing: string
  /** `--stream`: print each node's line as it arrives. */
  readonly stream: boolean
}

/**
 * Carry out `call` with a live progress line on a terminal (`done/total, N failed, M waiting
 * for the power-on rate`), each node's line as it arrives with `--stream`, and Ctrl-C turned
 * into an InterruptedError saying how far the server had got (the connection is closed, so
 * the server cancels the nodes not yet started).
 */
export async function runLiveAction(
  request: Request,
  call: LiveCall,
  options: LiveActionOptions,
  io: ClientIo,
): Promise<NodeResult[]> {
  let live: LiveProgress | undefined
  let streamed: boolean | undefined
  let finished = 0
  const progress = startProgress(
    () => (live ? `${options.doing}: ${counts(call.action, live)}` : options.doing),
    io.stderr,
  )
  const colour = wantColour(!!io.stdout.isTTY, io.env)
  const interrupt = catchInterrupt()
  try {
    const answer = await requestLive(request, call, {
      config: options.config,
      signal: interrupt.signal,
      onOpen: (value) => (streamed = value),
      onProgress: (value) => (live = value),
      onNode(result) {
        finished++
        if (!options.stream) return
        progress.clear()
        io.stdout.write(renderTable([describeResult(call.action, result)], { colour }))
      },
    })
    return answer.results
  } catch (error) {
    if (interrupt.signal.aborted) throw interrupted(streamed, finished, live?.total)
    throw error
  } finally {
    interrupt.release()
    progress.stop()
  }
}

/** `12/40, 1 failed, 8 waiting for the power-on rate`. */
export function counts(action: Action, progress: LiveProgress): string {
  const parts = [`${progress.done}/${progress.total}`, `${progress.failed} failed`]
  if (RATED.has(action)) parts.push(`${progress.waitingForRate} waiting for the power-on rate`)
  return parts.join(', ')
}

function interrupted(
  streamed: boolean | undefined,
  finished: number,
  total: number | undefined,
): InterruptedError {
  if (!streamed)
    return new InterruptedError(
      'Interrupted before the server answered: it may still carry out the action on nodes it had started; check with "flight-power status"',
    )
  const of = total === undefined ? '' : ` of ${total}`
  return new InterruptedError(
    `Interrupted: ${finished}${of} nodes had finished; those already started will finish on the server, the others will not be started`,
  )
}
