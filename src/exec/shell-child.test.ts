import { describe, expect, test } from 'bun:test'
import { ShellChild } from './shell-child.ts'
import { within } from './testing.ts'

const shell = Bun.which('bash') ?? 'bash'

function start(command: string) {
  const output = { stdout: '', stderr: '' }
  const decoder = new TextDecoder()
  const child = new ShellChild(
    command,
    { shell, cwd: '/', env: { PATH: process.env.PATH ?? '' }, detached: true },
    {
      stdout: (chunk) => (output.stdout += decoder.decode(chunk)),
      stderr: (chunk) => (output.stderr += decoder.decode(chunk)),
    },
  )
  const events: string[] = []
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      events.push(`exit ${code} ${signal}`)
      resolve()
    }),
  )
  const closed = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      events.push(`close ${code} ${signal} ${JSON.stringify(output)}`)
      resolve()
    }),
  )
  return { child, events, exited, closed }
}

describe('ShellChild', () => {
  test("emits 'exit', then 'close' once every byte of output has reached the sinks", async () => {
    const { child, events, closed } = start('echo out; echo err >&2; exit 3')
    expect(child.pid).toBeGreaterThan(0)
    await closed
    expect(events).toEqual(['exit 3 null', 'close 3 null {"stdout":"out\\n","stderr":"err\\n"}'])
  })

  test('reports a signal as the node ChildProcess does, with a null code', async () => {
    const { events, closed } = start('kill -USR1 $$')
    await closed
    expect(events[0]).toBe('exit null SIGUSR1')
  })

  test("closePipes() lets 'close' come while another process still holds the pipes", async () => {
    const { child, events, exited, closed } = start('sleep 1000 & exit 0')
    try {
      await exited
      expect(events).toEqual(['exit 0 null'])
      // The sleep holds both pipes open: without closePipes() 'close' never comes.
      child.closePipes()
      await within(closed, 20_000)
      expect(events[1]).toStartWith('close 0 null')
    } finally {
      // The background sleep leads no group of its own: it is in the script's.
      process.kill(-child.pid, 'SIGKILL')
    }
  }, 30_000)

  test('throws at once when the shell cannot start', () => {
    const sinks = { stdout() {}, stderr() {} }
    expect(() => new ShellChild('exit 0', { shell: '/nonexistent/bash' }, sinks)).toThrow()
  })
})
