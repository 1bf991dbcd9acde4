import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temporary directory, removed by the returned function */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'flight-power-exec-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * Whether `pid` is a live process. A zombie counts as dead: it runs nothing, and where PID 1
 * does not reap orphans (as in some containers) a killed script's children stay zombies forever.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw error
  }
  try {
    // The state follows the parenthesised command name, which may itself contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Waits up to `ms` for every pid to die; returns the ones still alive */
export async function survivors(pids: readonly number[], ms = 2000): Promise<number[]> {
  const until = Date.now() + ms
  let alive = pids.filter(isAlive)
  while (alive.length > 0 && Date.now() < until) {
    await Bun.sleep(20)
    alive = alive.filter(isAlive)
  }
  return alive
}

/** Reads a file of one pid per line */
export function readPids(path: string): number[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(Number)
}

/** `promise`, or a failure if it has not settled within `ms` */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: Timer | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Not settled within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, expired])
  } finally {
    clearTimeout(timer)
  }
}

/** Like readPids, but none while the file does not exist yet */
export function readPidsOrNone(path: string): number[] {
  try {
    return readPids(path)
  } catch {
    return []
  }
}
