import { CliError } from './cli-error.ts'

// cac hands option values over as `any`: mri makes numbers of numeric-looking text, `true` of a
// bare flag and an array of a repeated one. They enter here as `unknown` and leave parsed.

/** A value as text (a number as typed, e.g. `--port 8080`); a bare or repeated flag is exit 2 */
export function cliText(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (Array.isArray(value)) throw new CliError(`${flag} was given more than once: give it once`)
  throw new CliError(`${flag} needs a value`)
}

/** A file name: cac makes `true` of a bare `--config`, which names no file */
export function cliPath(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined
  if (value === true || value === '') throw new CliError(`${flag} needs a file name`)
  return cliText(value, flag)
}

/** A positive number of seconds, or `fallback` when the flag is not given */
export function cliSeconds(value: unknown, flag: string, fallback: number): number {
  const text = cliText(value, flag)
  if (text === undefined || text === '') return fallback
  const seconds = Number(text)
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError(`Invalid ${flag} "${text}": expected a positive number of seconds`)
  }
  return seconds
}
