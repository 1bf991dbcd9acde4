/**
 * End-to-end: what a platform script starts with `setsid` is gone when its action ends, and when
 * the server exits; an escapee holding the script's output does not hold the answer (SPEC §13).
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readIfExists, startServer } from './harness.ts'
import { isAlive } from './processes.ts'
import { eventually } from './eventually.ts'

const states: string[] = []
afterAll(async () => {
  // Whatever a failing test left running goes with the suite, not with the machine.
  for (const state of states) {
    const pid = Number((await readIfExists(join(state, 'pid'))).trim())
    if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL')
    await rm(state, { recursive: true, force: true })
  }
})

async function stateDir(): Promise<string> {
  const state = await mkdtemp(join(tmpdir(), 'flight-power-escaped-'))
  states.push(state)
  return state
}

/** The escapee's pid, once the script has written it */
async function escapee(state: string): Promise<number> {
  const file = join(state, 'pid')
  await eventually(
    'the escapee to write its pid',
    async () => (await readIfExists(file)).trim() !== '',
  )
  return Number((await readFile(file, 'utf8')).trim())
}

// The script waits until the escapee has left the group and become `sleep 4703`, then records
// its pid. Its stdout and stderr stay open in the escapee.
const topology = (state: string, tail: string) => `
static_nodes:
  n01: { platform: escaping, state_dir: ${state} }
platforms:
  escaping:
    variables: [state_dir]
    timeout: 600
    status: |
      setsid sleep 4703 &
      until [ "$(tr '\\0' ' ' < "/proc/$!/cmdline" 2>/dev/null)" = 'sleep 4703 ' ]; do sleep 0.01; done
      echo $! > "$state_dir/pid"
      ${tail}
`

describe('processes a script started with setsid', () => {
  test('are gone once the action has answered, which comes at once with the exit code', async () => {
    const state = await stateDir()
    const server = await startServer({ topology: topology(state, 'exit 111') })
    try {
      // Far below the platform's 600 s timeout: before the fix this waited for all of it.
      const response = await fetch(`${server.url}/?nodes=n01`, {
        headers: { Authorization: `Bearer ${server.readToken}` },
        signal: AbortSignal.timeout(60_000),
      })
      const body = (await response.json()) as { data: { attributes: Record<string, unknown> }[] }
      expect(body.data[0]?.attributes).toMatchObject({ state: 'off', success: true })
      const pid = await escapee(state)
      await eventually(`pid ${pid} to be gone`, () => !isAlive(pid), { timeoutMs: 10_000 })
    } finally {
      expect(await server.stop()).toBe(0)
    }
  }, 90_000)

  test('are gone once the server has exited on SIGTERM during the action', async () => {
    const state = await stateDir()
    const server = await startServer({
      topology: topology(state, 'sleep 1000'),
      config: { shutdown_grace_seconds: '1' },
    })
    const reply = fetch(`${server.url}/?nodes=n01`, {
      headers: { Authorization: `Bearer ${server.readToken}` },
    }).catch(() => undefined)
    const pid = await escapee(state)
    expect(isAlive(pid)).toBe(true)
    expect(await server.stop('SIGTERM')).toBe(0)
    await reply
    await eventually(`pid ${pid} to be gone`, () => !isAlive(pid), { timeoutMs: 10_000 })
  }, 90_000)
})
