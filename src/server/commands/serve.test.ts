import { describe, expect, test } from 'bun:test'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ServerConfigError } from '../config/errors.ts'
import { createLogger } from '../logger.ts'
import { listenFailure, workingDirectory } from './serve.ts'

const errno = (code: string) => Object.assign(new Error(`${code}: something, listen`), { code })

describe('listenFailure', () => {
  test.each([
    ['EADDRINUSE', 'address already in use'],
    ['EADDRNOTAVAIL', 'not a local address'],
    ['EINVAL', 'not a local address'],
    ['ENOENT', 'not a local address'],
    ['EACCES', 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)'],
  ])('%s is said in plain words', (code, words) => {
    expect(listenFailure(errno(code))).toBe(words)
  })

  test('anything else keeps its message, without "Error:"', () => {
    expect(listenFailure(new Error('odd'))).toBe('odd')
    expect(listenFailure('odd')).toBe('odd')
  })
})

describe('workingDirectory', () => {
  const gone = join(tmpdir(), 'flight-power-no-such-dir-9f3a')
  const run = async (workingDirectoryKey: 'working_directory' | 'scripts_dir', path: string) => {
    const lines: string[] = []
    const logger = createLogger({ write: (line) => lines.push(line) })
    const dir = await workingDirectory({ workingDirectory: path, workingDirectoryKey }, logger)
    return { dir, lines }
  }

  test('an existing directory is used, from either key', async () => {
    expect((await run('working_directory', tmpdir())).dir).toBe(tmpdir())
    expect((await run('scripts_dir', tmpdir())).dir).toBe(tmpdir())
  })

  test("power-server's scripts_dir that is gone falls back with a warning", async () => {
    const { dir, lines } = await run('scripts_dir', gone)
    expect(dir).toBeUndefined()
    expect(lines).toEqual([
      `warn: scripts_dir "${gone}" is not a directory: platform scripts run in the system temporary directory (set working_directory to choose)`,
    ])
  })

  test('a working_directory that is not a directory refuses to start', async () => {
    const error = await run('working_directory', gone).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServerConfigError)
    expect((error as Error).message).toBe(`Invalid working_directory "${gone}": not a directory`)
  })
})
