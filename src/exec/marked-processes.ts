import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs'

/** A process whose environment carries one of the markers looked for */
export interface MarkedProcess {
  readonly pid: number
  readonly marker: string
}

export interface MarkedSearch {
  /** The environment variable holding the marker */
  readonly name: string
  /** Markers to look for; a process matches only with exactly one of these as the value */
  readonly markers: ReadonlySet<string>
  /** Only processes owned by this uid are considered */
  readonly uid: number
  /** Never listed, whatever its environment: the caller itself */
  readonly exclude: number
}

/**
 * Lists the processes whose environment, as /proc/<pid>/environ shows it, holds `name=marker`
 * for a wanted marker. The environment is what a process keeps after it leaves its process group
 * and session with setsid, so this finds what a group kill cannot (Jenkins' process tree killer
 * works the same way).
 */
export function findMarked(search: MarkedSearch): MarkedProcess[] {
  // Built once a sweep, not once a process: `NAME=` opens the first entry, `\0NAME=` the rest.
  const entry = Buffer.from(`\0${search.name}=`)
  const name = entry.subarray(1)
  const found: MarkedProcess[] = []
  for (const dir of readdirSync('/proc')) {
    const first = dir.charCodeAt(0)
    if (first < 48 || first > 57) continue
    const pid = Number(dir)
    if (pid === search.exclude) continue
    const marker = markerIn(readEnviron(dir), name, entry, search.markers)
    if (marker === undefined) continue
    // The directory belongs to the process's effective uid. Asked only of the few that carry a
    // marker: a stat of every process made each sweep a quarter slower.
    if (statSync(`/proc/${dir}`, { throwIfNoEntry: false })?.uid === search.uid)
      found.push({ pid, marker })
  }
  return found
}

/**
 * One buffer serves every read of every sweep, grown when an environment does not fit: a
 * sweep reads the environment of each of our processes, several times a second under load,
 * and a fresh buffer for each was garbage the server's memory grew with.
 */
let buffer = Buffer.allocUnsafe(64 * 1024)
const NONE = Buffer.alloc(0)

/** `/proc/<pid>/environ`, valid until the next call; empty if it cannot be read. */
function readEnviron(pid: string): Buffer {
  let fd: number
  try {
    fd = openSync(`/proc/${pid}/environ`, 'r')
  } catch {
    // Gone since the directory was listed, or not ours to read.
    return NONE
  }
  try {
    let length = 0
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2)
        buffer.copy(bigger, 0, 0, length)
        buffer = bigger
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null)
      if (read === 0) return buffer.subarray(0, length)
      length += read
    }
  } catch {
    // Exited while it was read.
    return NONE
  } finally {
    closeSync(fd)
  }
}

/** The wanted marker `environ` holds as a whole `NAME=value` entry, if any */
function markerIn(
  environ: Buffer,
  name: Buffer,
  entry: Buffer,
  markers: ReadonlySet<string>,
): string | undefined {
  // Entries end in NUL, so each but the first follows one.
  if (
    environ.length >= name.length &&
    environ.compare(name, 0, name.length, 0, name.length) === 0
  ) {
    const value = wantedValue(environ, name.length, markers)
    if (value !== undefined) return value
  }
  for (let at = environ.indexOf(entry); at !== -1; at = environ.indexOf(entry, at + 1)) {
    const value = wantedValue(environ, at + entry.length, markers)
    if (value !== undefined) return value
  }
  return undefined
}

/** The entry's value from `start` to its NUL, if it is one of `markers` */
function wantedValue(
  environ: Buffer,
  start: number,
  markers: ReadonlySet<string>,
): string | undefined {
  const end = environ.indexOf(0, start)
  const value = environ.toString('latin1', start, end === -1 ? environ.length : end)
  return markers.has(value) ? value : undefined
}
