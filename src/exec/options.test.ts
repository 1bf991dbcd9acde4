import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, rmdirSync } from 'node:fs'
import { join } from 'node:path'
import { createRunner, type RunnerOptions } from './index.ts'
import { tempDir } from './testing.ts'

const dir = tempDir()
afterAll(() => dir.remove())

function optionError(options: RunnerOptions): TypeError {
  try {
    createRunner(options)
  } catch (error) {
    if (error instanceof TypeError) return error
    throw error
  }
  throw new Error('createRunner accepted the options')
}

describe('createRunner checks its options', () => {
  for (const concurrency of [0, -1, 1.5, Number.NaN, Infinity]) {
    test(`rejects concurrency ${concurrency}`, () => {
      const error = optionError({ concurrency })
      expect(error.message).toBe(
        `Invalid runner option "concurrency": expected an integer of at least 1, got ${concurrency}`,
      )
    })
  }

  test('rejects a working directory that does not exist', () => {
    const cwd = join(dir.path, 'missing')
    const error = optionError({ concurrency: 1, cwd })
    expect(error.message).toBe(
      `Invalid runner option "cwd": expected an existing directory, got "${cwd}"`,
    )
  })

  test('rejects a shell that is not on PATH', () => {
    const error = optionError({ concurrency: 1, shell: 'no-such-shell-here' })
    expect(error.message).toContain('"shell"')
  })

  test('rejects bad sizes, grace periods and base environments', () => {
    expect(optionError({ concurrency: 1, maxOutputBytes: -1 }).message).toContain(
      '"maxOutputBytes"',
    )
    expect(optionError({ concurrency: 1, killGraceMs: 0.5 }).message).toContain('"killGraceMs"')
    expect(optionError({ concurrency: 1, pipeGraceMs: -1 }).message).toBe(
      'Invalid runner option "pipeGraceMs": expected a non-negative integer, got -1',
    )
    const baseEnv = { PATH: 1 } as unknown as Record<string, string>
    expect(optionError({ concurrency: 1, baseEnv }).message).toContain('"baseEnv"')
  })
})

describe('run failures are results', () => {
  test('a working directory removed after creation gives an error result, not an exception', async () => {
    const cwd = join(dir.path, 'removed')
    mkdirSync(cwd)
    const runner = createRunner({ concurrency: 1, cwd })
    rmdirSync(cwd)
    const result = await runner.run({ key: 'node01', script: 'exit 0', env: {}, timeoutMs: 5_000 })
    expect(result).toMatchObject({ exitCode: null, signal: null, timedOut: false, stdout: '' })
    expect(result.error).toStartWith('Cannot start script: ')
    expect(runner.active).toBe(0)
    // The slot was released: the runner still works.
    mkdirSync(cwd)
    const next = await runner.run({ key: 'node01', script: 'exit 0', env: {}, timeoutMs: 5_000 })
    expect(next.exitCode).toBe(0)
  })

  test('a timeout that is not a positive number is a programming error', async () => {
    const runner = createRunner({ concurrency: 1 })
    for (const timeoutMs of [0, -5, Number.NaN]) {
      const run = runner.run({ key: 'node01', script: 'exit 0', env: {}, timeoutMs })
      // Awaited, so the test fails when the run is not refused.
      await expect(run).rejects.toBeInstanceOf(RangeError)
    }
  })
})
