import { existsSync } from 'node:fs'

/** Syslog severities the Slurm log uses. */
export type Severity = 'info' | 'warning' | 'err'

/** Hands messages to syslog (journald on systemd hosts) without ever blocking the caller. */
export interface Syslog {
  send(severity: Severity, message: string): void
  /** Wait for the messages handed over so far, at most `timeoutMs`; never rejects. */
  flush(timeoutMs: number): Promise<void>
}

/** Options of `createSyslog`. */
export interface SyslogOptions {
  readonly tag: string
  /** The logger(1) to run; default the first of /usr/bin/logger and /bin/logger that exists. */
  readonly loggerPath?: string | null
  /** Kill one logger run after this long; default 5000 ms. */
  readonly timeoutMs?: number
}

const LOGGER_PATHS = ['/usr/bin/logger', '/bin/logger']

/**
 * Send through logger(1), by absolute path since Slurm gives no PATH. Bun cannot write
 * datagrams to /dev/log itself, and logger knows every local flavour (rsyslog, journald,
 * busybox syslogd). A host without syslog loses these messages, never the call: a missing
 * logger sends nothing, a failing one is ignored, a stuck one is killed.
 */
export function createSyslog(options: SyslogOptions): Syslog {
  const logger =
    options.loggerPath === undefined
      ? LOGGER_PATHS.find((path) => existsSync(path))
      : options.loggerPath
  const timeout = options.timeoutMs ?? 5000
  const pending = new Set<Promise<unknown>>()

  return {
    send(severity, message) {
      if (!logger) return
      try {
        const child = Bun.spawn(
          [logger, '-t', options.tag, '-p', `daemon.${severity}`, '--', message],
          {
            stdin: 'ignore',
            stdout: 'ignore',
            stderr: 'ignore',
            env: {},
            timeout,
            killSignal: 'SIGKILL',
          },
        )
        const done = child.exited.catch(() => undefined).finally(() => pending.delete(done))
        pending.add(done)
      } catch {
        // Not executable after all: syslog is a second copy, the call goes on.
      }
    },
    async flush(timeoutMs) {
      let timer: Timer | undefined
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
      await Promise.race([Promise.all(pending), expired])
      clearTimeout(timer)
    },
  }
}
