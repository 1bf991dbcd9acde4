import { describe, expect, test } from 'bun:test'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeJobs, readResumeJobs } from './resume-file.ts'

async function file(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'flight-power-resume-')), 'resume.json')
  await writeFile(path, text)
  return path
}

describe('readResumeJobs', () => {
  test("reads Slurm 22.05's file", async () => {
    const path = await file(
      '{"jobs":[{"job_id":1,"nodes":"node[01-04]","partition":"all"}],"all_nodes":"node[01-04]"}',
    )
    expect(await readResumeJobs(path)).toEqual([{ jobId: 1, nodes: 'node[01-04]' }])
    expect(await readResumeJobs(await file('{"jobs":[],"all_nodes":"gpu1,node[01-02]"}'))).toEqual(
      [],
    )
  })

  test('says what is wrong with a bad file', async () => {
    await expect(readResumeJobs(await file('not json'))).rejects.toThrow('is not JSON')
    await expect(readResumeJobs(await file('{"all_nodes":"n1"}'))).rejects.toThrow(
      'has no "jobs" list',
    )
    await expect(readResumeJobs(await file('{"jobs":[{"job_id":"x"}]}'))).rejects.toThrow(
      'jobs[0].job_id is not a number',
    )
  })
})

describe('describeJobs', () => {
  test('names jobs and their nodes, a bounded number of them', () => {
    expect(describeJobs([])).toBe('no jobs')
    expect(describeJobs([{ jobId: 7, nodes: 'gpu1' }])).toBe('job 7 (gpu1)')
    expect(
      describeJobs([
        { jobId: 7, nodes: '' },
        { jobId: 8, nodes: 'n1' },
      ]),
    ).toBe('jobs 7, 8 (n1)')
    const many = Array.from({ length: 25 }, (_, index) => ({ jobId: index, nodes: '' }))
    expect(describeJobs(many)).toEndWith('19 and 5 more')
  })
})
