import { open } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { errorMessage, FlightPowerError } from './flight-power-error.ts'

/** Largest config or topology file read: a mistaken `/dev/zero` must not fill the memory. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024

/** A file's text and the status of the very file read (no race between stat and read). */
export interface LimitedFile {
  readonly text: string
  readonly stats: Stats
}

/** A file larger than the limit; the message is a reason, to follow `Cannot read "x": `. */
export class FileTooLargeError extends FlightPowerError {
  static override code = 'ERR_FILE_TOO_LARGE'
  constructor(bytes: number | undefined, limit: number) {
    const size = bytes === undefined ? 'more than' : `${bytes} bytes, over`
    super(`file too large (${size} the ${limit / (1024 * 1024)} MiB limit)`)
  }
}

/**
 * Read `path` as UTF-8, refusing more than `limit` bytes: a regular file by its size (fstat of
 * the open descriptor), anything else (a device, a pipe) by reading at most `limit + 1` bytes.
 * Errors of the file system are thrown as they come (ENOENT, EACCES).
 */
export async function readLimited(path: string, limit = MAX_FILE_BYTES): Promise<LimitedFile> {
  const handle = await open(path, 'r')
  try {
    const stats = await handle.stat()
    if (stats.isFile() && stats.size > limit) throw new FileTooLargeError(stats.size, limit)
    const chunks: Uint8Array[] = []
    let total = 0
    for (;;) {
      const buffer = new Uint8Array(Math.min(1024 * 1024, limit + 1 - total))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      chunks.push(buffer.subarray(0, bytesRead))
      total += bytesRead
      if (total > limit) throw new FileTooLargeError(undefined, limit)
    }
    return { text: new TextDecoder().decode(Buffer.concat(chunks)), stats }
  } finally {
    await handle.close()
  }
}

/** The text of `path` (read as `readLimited` does), or undefined when there is no such file. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return (await readLimited(path)).text
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Why a file could not be read or written, in the words an administrator reads in a message. */
export function fileErrorWords(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'no such file'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'it is a directory'
    case 'EROFS':
      return 'read-only file system'
    default:
      return errorMessage(error)
  }
}
