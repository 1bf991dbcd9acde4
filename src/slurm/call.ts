import {
  CliError,
  errorMessage,
  EXIT,
  expandHostlist,
  foldHostlist,
  HostlistError,
} from '../topology/index.ts'
import { describeJobs, readResumeJobs, type ResumeJob } from './resume-file.ts'
import type { SlurmLog } from './slurm-log.ts'
import { POWER_ACTION, type NodeReport, type PowerRequest, type SlurmAction } from './types.ts'

/** One call from slurmctld. */
export interface SlurmCall {
  readonly action: SlurmAction
  /** The one argument Slurm passes: a folded hostlist such as `gpu[1-2],node[02,04]`. */
  readonly hostlist: string
  /** SLURM_RESUME_FILE, when Slurm set it (resume only). */
  readonly resumeFile?: string
  /** The whole call's budget: Slurm never kills its programs, so this is the only bound. */
  readonly timeoutMs: number
}

/** What a call runs with; tests pass fakes. */
export interface SlurmCallDeps {
  readonly power: PowerRequest
  readonly log: SlurmLog
  readonly now?: () => number
}

/** Failing nodes named one per line in syslog; the rest are in the file and the summary. */
const SYSLOG_NODE_LINES = 20

/** Most time spent reading SLURM_RESUME_FILE. */
const RESUME_FILE_MS = 2000

/** Time left for syslog deliveries after the work is done or has timed out. */
const FLUSH_MS = 3000

/**
 * Power the nodes of one Slurm call through the server and log everything: the call, the
 * jobs it is for, each node's result and a summary. Never throws and never writes to
 * stdout or stderr (Slurm has closed them); returns the client's exit code for humans.
 */
export async function runSlurmCall(call: SlurmCall, deps: SlurmCallDeps): Promise<number> {
  const now = deps.now ?? Date.now
  const started = now()
  const { log } = deps
  const what = `${call.action} ${call.hostlist || '(no hostlist)'}`
  const progress = { asked: false }
  let code: number
  try {
    code = await withDeadline(callServer(call, deps, what, progress), call.timeoutMs)
  } catch (error) {
    if (error instanceof DeadlineError) {
      code = EXIT.unreachable
      const note = progress.asked ? '; the server may still be acting on the nodes' : ''
      log.error(`${what}: gave up after ${seconds(call.timeoutMs)}${note}`)
    } else {
      code = error instanceof CliError ? error.exitCode : EXIT.failed
      log.error(`${what}: ${errorMessage(error)}`)
    }
  }
  log.detail(`${what}: exit ${code} after ${seconds(now() - started)}`)
  await log.close(FLUSH_MS)
  return code
}

async function callServer(
  call: SlurmCall,
  deps: SlurmCallDeps,
  what: string,
  progress: { asked: boolean },
): Promise<number> {
  const { log } = deps
  const jobs = await jobsOf(call, log, what)
  const names = parseHostlist(call.hostlist)
  log.info(
    `${what}: ${names.length === 1 ? '1 node' : `${names.length} nodes`}${jobs === undefined ? '' : `, ${describeJobs(jobs)}`}`,
  )

  progress.asked = true
  const reports = await deps.power(POWER_ACTION[call.action], call.hostlist)
  const byName = new Map(reports.map((report) => [report.name, report]))
  const failed: string[] = []
  const succeeded: string[] = []
  for (const name of names) {
    const report = byName.get(name)
    const problem = report ? problemOf(report) : 'the server did not answer for it'
    if (problem) {
      failed.push(name)
      log.error(`${call.action} ${name}: ${problem}`, {
        syslog: failed.length <= SYSLOG_NODE_LINES,
      })
    } else {
      succeeded.push(name)
      log.detail(
        `${call.action} ${name}: ${DONE[call.action]}${report?.durationMs == null ? '' : ` in ${seconds(report.durationMs)}`}`,
      )
    }
  }
  const summary = [
    succeeded.length > 0 ? `${DONE[call.action]} ${foldHostlist(succeeded)}` : '',
    failed.length > 0 ? `failed ${foldHostlist(failed)}` : '',
  ].filter(Boolean)
  const line = `${what}: ${summary.join('; ') || 'nothing to do'}`
  if (failed.length > 0) log.warn(line)
  else log.info(line)
  return failed.length > 0 ? EXIT.failed : EXIT.ok
}

const DONE: Record<SlurmAction, string> = {
  resume: 'powered on',
  suspend: 'powered off',
  'resume-fail': 'powered off',
}

function problemOf(report: NodeReport): string | undefined {
  if (report.missing) return "not in the power server's topology"
  if (report.success) return undefined
  return `failed${report.message ? `: ${report.message}` : ''}`
}

/**
 * The resume file is read before anything else: it is gone once this program exits. The
 * read is bounded as well, since the job ids are only for the log and a FIFO or stale NFS
 * path there must not cost the nodes their power.
 */
async function jobsOf(
  call: SlurmCall,
  log: SlurmLog,
  what: string,
): Promise<ResumeJob[] | undefined> {
  if (!call.resumeFile) return undefined
  try {
    return await withDeadline(
      readResumeJobs(call.resumeFile),
      Math.min(RESUME_FILE_MS, call.timeoutMs / 2),
    )
  } catch (error) {
    const why =
      error instanceof DeadlineError
        ? `"${call.resumeFile}" gave nothing within ${seconds(Math.min(RESUME_FILE_MS, call.timeoutMs / 2))}`
        : error instanceof Error
          ? error.message
          : String(error)
    log.warn(`${what}: cannot read SLURM_RESUME_FILE: ${why}`)
    return undefined
  }
}

function parseHostlist(hostlist: string): string[] {
  if (hostlist.trim() === '')
    throw new CliError('No hostlist given: Slurm passes one, e.g. node[01-04]')
  try {
    return expandHostlist(hostlist)
  } catch (error) {
    if (error instanceof HostlistError) throw new CliError(error.message, { cause: error })
    throw error
  }
}

class DeadlineError extends Error {}

/** Settle with `work`, or reject with a DeadlineError once `ms` have passed. */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: Timer | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), ms)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}
