import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'

// Runs the runner in a fresh process, so the test sees exactly what it writes to stderr.
async function inChild(body: string, env: Record<string, string> = {}) {
  const entry = join(import.meta.dir, 'index.ts')
  const code = `import { createRunner } from ${JSON.stringify(entry)}\n${body}`
  const child = Bun.spawn([process.execPath, '-e', code], {
    env: { ...env, HOME: process.env.HOME ?? '/tmp' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { stdout, stderr, exitCode }
}

describe('zx is configured for a server', () => {
  test('logs nothing and does not throw on failure', async () => {
    const { stdout, stderr, exitCode } = await inChild(
      `const runner = createRunner({ concurrency: 1 })
const result = await runner.run({ key: 'n', script: 'echo to-stdout; echo to-stderr >&2; exit 3', env: {}, timeoutMs: 5000 })
console.log(JSON.stringify(result))`,
      { PATH: process.env.PATH ?? '' },
    )
    expect(stderr).toBe('')
    expect(exitCode).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({
      exitCode: 3,
      stdout: 'to-stdout\n',
      stderr: 'to-stderr\n',
    })
  })

  test("kills timed-out scripts without zx's ps-based kill (ps is not even on PATH)", async () => {
    const { stdout, stderr } = await inChild(
      `const runner = createRunner({ concurrency: 1, shell: ${JSON.stringify(Bun.which('bash'))}, killGraceMs: 5000, baseEnv: {} })
const result = await runner.run({ key: 'n', script: 'exec ${Bun.which('sleep')} 1000', env: {}, timeoutMs: 300 })
console.log(JSON.stringify(result))`,
      { PATH: '/nonexistent' },
    )
    expect(stderr).toBe('')
    const result = JSON.parse(stdout)
    expect(result).toMatchObject({ exitCode: null, timedOut: true, signal: 'SIGTERM' })
    expect(result.durationMs).toBeLessThan(3_000)
  })
})
