import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileErrorWords } from '../topology/index.ts'
import type { Severity, Syslog } from './syslog.ts'

/**
 * The record of one Slurm call. Slurm ignores the program's exit code and closes its output,
 * so this log is the only place an administrator can see what happened.
 */
export interface SlurmLog {
  /** To the file and, unless `syslog: false`, to syslog. */
  info(message: string, options?: WriteOptions): void
  warn(message: string, options?: WriteOptions): void
  error(message: string, options?: WriteOptions): void
  /** To the file only: per-node successes, which syslog gets as one summary line. */
  detail(message: string): void
  /** Let syslog deliveries finish, at most `timeoutMs`. */
  close(timeoutMs: number): Promise<void>
}

/** Options of one log line. */
export interface WriteOptions {
  /** False keeps a line out of syslog, e.g. the 1000th failing node of one call. */
  readonly syslog?: boolean
}

/** Options of `openSlurmLog`. */
export interface SlurmLogOptions {
  /** The log file; its directory is created when missing. */
  readonly file: string
  readonly syslog: Syslog
  /** Tells overlapping calls apart in the file; syslog records it by itself. */
  readonly pid: number
  readonly now?: () => Date
  /** Also shown each line, e.g. on a terminal when an administrator runs the program by hand. */
  readonly echo?: (line: string) => void
}

/**
 * Open the log. A file that cannot be written (no permission for SlurmUser, read-only /var)
 * falls back to syslog only, and syslog is told why once.
 */
export function openSlurmLog(options: SlurmLogOptions): SlurmLog {
  const { file, syslog } = options
  const now = options.now ?? (() => new Date())
  let fileWorks = true

  function toFile(line: string): void {
    if (!fileWorks) return
    try {
      // One append per line: with O_APPEND, lines of overlapping calls never interleave.
      appendFileSync(file, `${line}\n`, { mode: 0o640 })
    } catch (error) {
      fileWorks = false
      syslog.send(
        'warning',
        `cannot write log file "${file}": ${reason(error)}; logging to syslog only`,
      )
    }
  }

  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o750 })
  } catch {
    // Reported by the first append, which fails too.
  }

  function write(severity: Severity, message: string, toSyslog: boolean): void {
    const line = `${now().toISOString()} [${options.pid}] ${LABEL[severity]}${message}`
    toFile(line)
    if (toSyslog) syslog.send(severity, message)
    options.echo?.(line)
  }

  return {
    info: (message, options) => write('info', message, options?.syslog ?? true),
    warn: (message, options) => write('warning', message, options?.syslog ?? true),
    error: (message, options) => write('err', message, options?.syslog ?? true),
    detail: (message) => write('info', message, false),
    close: (timeoutMs) => syslog.flush(timeoutMs),
  }
}

const LABEL: Record<Severity, string> = { info: '', warning: 'warning: ', err: 'error: ' }

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  // Opened for appending, a missing file is created: ENOENT means a missing directory.
  if (code === 'ENOENT') return 'its directory cannot be created'
  return fileErrorWords(error)
}
