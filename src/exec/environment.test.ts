import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRunner } from './index.ts'
import { tempDir } from './testing.ts'

const dir = tempDir()
afterAll(() => dir.remove())

describe('values reach scripts only as environment variables', () => {
  const marker = join(dir.path, 'executed')
  // HOME points into the temp dir so that even a broken runner could only harm that.
  const runner = createRunner({
    concurrency: 4,
    baseEnv: { PATH: process.env.PATH ?? '', HOME: dir.path },
  })
  const values = [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `; touch ${marker}`,
    '; rm -rf ~',
    `'; touch ${marker}; '`,
    `"; touch ${marker}; "`,
    `" $(touch ${marker}) "`,
    'two words  and   spaces',
    'line one\nline two\n',
    '',
    '*',
    '$HOME ${PATH} \\ \\n %s %d',
    'ünïcödé ✓',
  ]

  for (const value of values) {
    test(`passes ${JSON.stringify(value)} through unchanged`, async () => {
      const result = await runner.run({
        key: 'node01',
        script: 'printf %s "$v"',
        env: { v: value },
        timeoutMs: 10_000,
      })
      expect(result).toMatchObject({ exitCode: 0, timedOut: false, stdout: value, stderr: '' })
      expect(existsSync(marker)).toBe(false)
    })
  }

  test('runs the script text exactly as given', async () => {
    // No `set -euo pipefail` prefix, no positional arguments: what bash -c would do.
    const script = `false; printf '%s|' "$#" 'it''s' "$(echo sub)" "$unset_variable"`
    const result = await runner.run({ key: 'node01', script, env: {}, timeoutMs: 10_000 })
    expect(result).toMatchObject({ exitCode: 0, stdout: '0|its|sub||' })
  })
})

describe('environment isolation', () => {
  test('the runner process secrets never reach scripts', async () => {
    process.env.jwt_shared_secret = 'top-secret-value'
    try {
      const runner = createRunner({ concurrency: 1 })
      const result = await runner.run({
        key: 'node01',
        script: 'printf %s "${jwt_shared_secret-unset}"; env >&2',
        env: { NODE_VAR: 'x' },
        timeoutMs: 10_000,
      })
      expect(result.stdout).toBe('unset')
      expect(result.stderr).not.toContain('top-secret-value')
      expect(result.stderr).toContain('NODE_VAR=x')
    } finally {
      delete process.env.jwt_shared_secret
    }
  })

  test('the default base environment carries only the safe variables', async () => {
    const runner = createRunner({ concurrency: 1 })
    const result = await runner.run({
      key: 'node01',
      script: 'env -0',
      env: { ip: '10.0.0.1' },
      timeoutMs: 10_000,
    })
    const names = result.stdout
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => entry.slice(0, entry.indexOf('=')))
    // bash itself adds PWD, SHLVL and _ to the environment it passes on.
    const allowed = [
      'PATH',
      'HOME',
      'LANG',
      'USER',
      'LOGNAME',
      'SHELL',
      'TZ',
      'ip',
      // The run marker: how the runner finds what a script left running outside its group.
      'FLIGHT_RUN_ID',
      'PWD',
      'SHLVL',
      '_',
    ]
    expect(names.filter((name) => !allowed.includes(name))).toEqual([])
    expect(names).toContain('ip')
    expect(names).toContain('PATH')
  })

  test('node variables override the base environment', async () => {
    const runner = createRunner({
      concurrency: 1,
      baseEnv: { PATH: '/usr/bin:/bin', v: 'base', w: 'base' },
    })
    const result = await runner.run({
      key: 'node01',
      script: 'printf %s "$v,$w"',
      env: { v: 'node' },
      timeoutMs: 10_000,
    })
    expect(result.stdout).toBe('node,base')
  })
})

describe('stdin and working directory', () => {
  test('scripts have no stdin: read fails at once instead of hanging', async () => {
    const runner = createRunner({ concurrency: 1 })
    const result = await runner.run({
      key: 'node01',
      script: 'read -r line; echo "status=$?"',
      env: {},
      timeoutMs: 5_000,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, stdout: 'status=1\n' })
    expect(result.durationMs).toBeLessThan(4_000)
  })

  test('scripts run in the configured working directory', async () => {
    const runner = createRunner({ concurrency: 1, cwd: dir.path })
    const result = await runner.run({ key: 'node01', script: 'pwd -P', env: {}, timeoutMs: 5_000 })
    expect(result.stdout).toBe(`${realpathSync(dir.path)}\n`)
  })

  test('the working directory defaults to the system temporary directory', async () => {
    const runner = createRunner({ concurrency: 1 })
    const result = await runner.run({ key: 'node01', script: 'pwd -P', env: {}, timeoutMs: 5_000 })
    expect(result.stdout).toBe(`${realpathSync(tmpdir())}\n`)
  })
})
