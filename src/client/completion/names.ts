import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '../config.ts'
import { createRequest } from '../http.ts'
import { parseGroupList, parseNodeList } from '../wire.ts'

/** Names fresher than this are answered from the cache without asking the server. */
export const CACHE_SECONDS = 60
/** The longest a completion may wait for the server: a shell must never hang on a Tab. */
export const ASK_TIMEOUT_MS = 1500

/** What the completion asks for: node names or group names. */
export type NameKind = 'nodes' | 'groups'

interface Cached {
  readonly at: number
  readonly nodes: readonly string[]
  readonly groups: readonly string[]
}

function cacheFile(env: Readonly<Record<string, string | undefined>>, baseUrl: string): string {
  const dir = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache')
  // Bun's hasher, not node:crypto, whose loading costs every Tab press some 20 ms.
  const key = new Bun.CryptoHasher('sha256').update(baseUrl).digest('hex').slice(0, 16)
  return join(dir, 'flight-power', `names-${key}.json`)
}

/**
 * Node or group names for shell completion, one per line: from a cache younger than
 * CACHE_SECONDS, else from the server within ASK_TIMEOUT_MS, else from a stale cache, else
 * none. Never throws: a completion that fails completes nothing.
 */
export async function completionNames(
  kind: NameKind,
  env: Readonly<Record<string, string | undefined>>,
  now = Date.now(),
): Promise<string[]> {
  let file: string | undefined
  let cached: Cached | undefined
  try {
    const config = await resolveConfig({ timeout: ASK_TIMEOUT_MS / 1000 }, { env })
    file = cacheFile(env, config.baseUrl)
    cached = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as Cached,
      () => undefined,
    )
    if (cached && now - cached.at < CACHE_SECONDS * 1000) return [...cached[kind]]
    const request = createRequest(config)
    const [nodes, groups] = await Promise.all([
      request('GET', '/nodes').then(parseNodeList),
      request('GET', '/groups').then(parseGroupList),
    ])
    const fresh: Cached = {
      at: now,
      nodes: nodes.map((node) => node.name),
      groups: groups.map((group) => group.name),
    }
    await mkdir(join(file, '..'), { recursive: true, mode: 0o700 })
    await writeFile(`${file}.${process.pid}`, JSON.stringify(fresh), { mode: 0o600 })
    await rename(`${file}.${process.pid}`, file)
    return [...fresh[kind]]
  } catch {
    return cached ? [...cached[kind]] : []
  }
}
