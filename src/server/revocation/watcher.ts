import { watch, type FSWatcher } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { Logger } from '../logger.ts'
import { isRevoked, loadRevocations, type RevocationList, type TokenIdentity } from './list.ts'

/** The server's revocation list, kept current while the server runs. */
export interface RevocationWatcher {
  readonly isRevoked: (token: TokenIdentity) => boolean
  /** Re-read the file; a bad file keeps the old list and logs why. Never rejects. */
  reload(): Promise<boolean>
  /** Stop watching (the server is ending). */
  close(): void
}

/** Options of `watchRevocations`. */
export interface WatchOptions {
  readonly path: string
  readonly logger: Logger
  /** How often to stat the file when no change event came (network file systems); default 1 s. */
  readonly pollMs?: number
}

/**
 * Load the revocation file (a bad one throws: the server must not start on it) and follow it:
 * `fs.watch` on its directory (it may not exist yet, and editors replace files) plus a stat
 * poll, since inotify misses changes made over NFS.
 */
export async function watchRevocations(options: WatchOptions): Promise<RevocationWatcher> {
  const { path, logger } = options
  const pollMs = options.pollMs ?? 1000
  if (!(pollMs > 0)) throw new TypeError('watchRevocations: "pollMs" must be positive')
  let list: RevocationList = await loadRevocations(path)
  let seen = await signature(path)
  let chain: Promise<boolean> = Promise.resolve(true)

  async function reloadNow(): Promise<boolean> {
    seen = await signature(path)
    try {
      list = await loadRevocations(path)
      logger.notice(`revoked tokens reloaded from "${path}": ${describe(list)}`)
      return true
    } catch (error) {
      logger.error(`${(error as Error).message}; keeping the previous list (${describe(list)})`)
      return false
    }
  }
  const reload = () => (chain = chain.then(reloadNow, reloadNow))
  const reloadIfChanged = async () => {
    if ((await signature(path)) !== seen) await reload()
  }

  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dirname(path), (_event, name) => {
      if (name === null || name === basename(path)) void reloadIfChanged()
    })
    watcher.on('error', () => watcher?.close())
    // The server's own listeners keep it alive; this must not, should start-up fail later.
    watcher.unref?.()
  } catch {
    // No directory yet: the poll below notices when the file appears.
  }
  const timer = setInterval(() => void reloadIfChanged(), pollMs)
  timer.unref()
  return {
    isRevoked: (token) => isRevoked(list, token),
    reload,
    close() {
      clearInterval(timer)
      watcher?.close()
    },
  }
}

/** What changes when the file does: inode (replaced), size and modification time. */
async function signature(path: string): Promise<string> {
  try {
    const s = await stat(path)
    return `${s.ino}:${s.size}:${s.mtimeMs}`
  } catch {
    return 'absent'
  }
}

function describe(list: RevocationList): string {
  return `${list.tokenIds.size} token id(s), ${list.subjects.size} subject(s)`
}
