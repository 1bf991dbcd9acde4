import { describe, expect, test } from 'bun:test'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writePrograms } from './programs.ts'
import { renderWrapper } from './wrapper.ts'

const NAMES = ['flight-power-resume', 'flight-power-suspend', 'flight-power-resume-fail']

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flight-power-programs-'))
}

describe('writePrograms', () => {
  test('writes three programs, mode 0755 whatever the umask, and again unchanged', async () => {
    const dir = join(await scratch(), 'libexec/slurm')
    const old = process.umask(0o000)
    try {
      const files = await writePrograms(dir, {
        command: ['/usr/bin/flight-power'],
        config: '/etc/fp.yaml',
      })
      expect(files.map((file) => [file.path, file.outcome])).toEqual(
        NAMES.map((name) => [join(dir, name), 'written']),
      )
    } finally {
      process.umask(old)
    }
    for (const name of NAMES) expect((await stat(join(dir, name))).mode & 0o7777).toBe(0o755)
    const again = await writePrograms(dir, {
      command: ['/usr/bin/flight-power'],
      config: '/etc/fp.yaml',
    })
    expect(again.map((file) => file.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged'])
  })

  test('refuses to overwrite a changed program, touching none, unless forced', async () => {
    const dir = await scratch()
    await writePrograms(dir, { command: ['/usr/bin/flight-power'], config: '/etc/fp.yaml' })
    await writeFile(join(dir, 'flight-power-suspend'), '#!/bin/sh\n# site edit\n')
    const before = await readFile(join(dir, 'flight-power-resume'), 'utf8')
    const moved = { command: ['/opt/flight/bin/flight-power'], config: '/etc/fp.yaml' }
    await expect(writePrograms(dir, moved)).rejects.toThrow(
      `Not overwriting "${join(dir, 'flight-power-resume')}", "${join(dir, 'flight-power-suspend')}"`,
    )
    expect(await readFile(join(dir, 'flight-power-resume'), 'utf8')).toBe(before)

    const files = await writePrograms(dir, { ...moved, force: true })
    expect(files.map((file) => file.outcome)).toEqual(['replaced', 'replaced', 'replaced'])
    expect(await readFile(join(dir, 'flight-power-suspend'), 'utf8')).toContain(
      'exec /opt/flight/bin/flight-power slurm suspend',
    )
  })
})

describe('renderWrapper', () => {
  test('passes the baked-in words and the hostlist through sh unchanged', async () => {
    const dir = await scratch()
    const odd = join(dir, "it's a $HOME `dir`")
    const program = join(dir, 'program')
    const text = renderWrapper('resume-fail', {
      command: ['/usr/bin/printf', '%s\\n'],
      config: join(odd, 'config.yaml'),
      log: join(odd, 'slurm.log'),
      timeoutSeconds: 90,
    })
    expect(text).toStartWith('#!/bin/sh\n# Slurm ResumeFailProgram')
    await writeFile(program, text, { mode: 0o755 })
    const run = Bun.spawnSync([program, 'gpu[1-2],node[02,04]'], { env: {}, stdout: 'pipe' })
    expect(run.stdout.toString().split('\n')).toEqual([
      'slurm',
      'resume-fail',
      '--config',
      join(odd, 'config.yaml'),
      '--log',
      join(odd, 'slurm.log'),
      '--timeout',
      '90',
      'gpu[1-2],node[02,04]',
      '',
    ])
  })
})
