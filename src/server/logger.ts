/** Log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Line-oriented logger: one line per event on stderr, where journald collects it. */
export interface Logger {
  readonly level: LogLevel
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  /** Lifecycle events (listening, signals, reloads, stopping), printed at every level. */
  notice(message: string): void
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  level?: LogLevel
  /** Where lines go; default stderr. Tests pass an array's push. */
  write?: (line: string) => void
}

/**
 * A logger printing `level: message` lines at or above `level`. No timestamps: journald adds
 * them. Multi-line messages are indented so each event stays one record to the eye.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info')
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`))
  const line = (label: string, message: string) =>
    write(`${label}: ${message.replaceAll('\n', '\n    ')}`)
  const at = (level: LogLevel) => (message: string) => {
    if (LOG_LEVELS.indexOf(level) >= threshold) line(level, message)
  }
  return {
    level: options.level ?? 'info',
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    notice: (message) => line('notice', message),
  }
}
