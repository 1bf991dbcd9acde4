import { errorMessage } from '../topology/index.ts'
import { readFile } from 'node:fs/promises'

/** A job Slurm is resuming nodes for, from SLURM_RESUME_FILE. */
export interface ResumeJob {
  readonly jobId: number
  readonly nodes: string
}

/** Larger than any real file (one short entry per job); guards against reading something else. */
const MAX_BYTES = 4 * 1024 * 1024

/**
 * Read the jobs from Slurm's resume file, JSON like
 * `{"jobs":[{"job_id":1,"nodes":"node[01-04]"}],"all_nodes":"node[01-04]"}`. Slurm 22.05
 * hands over a `/proc/PID/fd/N` path that vanishes when the program exits, so it is read
 * first thing. Throws an `Error` saying what is wrong; the caller logs it and goes on, since
 * the job ids are only for the log.
 */
export async function readResumeJobs(path: string): Promise<ResumeJob[]> {
  const text = await readFile(path, 'utf8')
  if (text.length > MAX_BYTES) throw new Error(`"${path}" is larger than ${MAX_BYTES} bytes`)
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw new Error(`"${path}" is not JSON: ${errorMessage(error)}`, { cause: error })
  }
  const jobs =
    typeof doc === 'object' && doc !== null ? (doc as { jobs?: unknown }).jobs : undefined
  if (!Array.isArray(jobs)) throw new Error(`"${path}" has no "jobs" list`)
  return jobs.map((job: unknown, index) => {
    const { job_id: jobId, nodes } = (typeof job === 'object' && job !== null ? job : {}) as Record<
      string,
      unknown
    >
    if (typeof jobId !== 'number' || !Number.isSafeInteger(jobId))
      throw new Error(`"${path}": jobs[${index}].job_id is not a number`)
    return { jobId, nodes: typeof nodes === 'string' ? nodes : '' }
  })
}

/** `jobs 12 (node[01-02]), 13 (gpu1)`, or `no jobs` when a node was powered up by hand. */
export function describeJobs(jobs: readonly ResumeJob[]): string {
  if (jobs.length === 0) return 'no jobs'
  const shown = jobs
    .slice(0, 20)
    .map((job) => (job.nodes ? `${job.jobId} (${job.nodes})` : String(job.jobId)))
  const more = jobs.length > 20 ? ` and ${jobs.length - 20} more` : ''
  return `${jobs.length === 1 ? 'job' : 'jobs'} ${shown.join(', ')}${more}`
}
