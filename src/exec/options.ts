import { statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import type { RunnerOptions } from './types.ts'

/** Runner options after validation, with defaults filled in and the shell resolved to a path */
export interface ResolvedOptions {
  readonly concurrency: number
  readonly cwd: string
  readonly baseEnv: Readonly<Record<string, string>>
  readonly maxOutputBytes: number
  readonly killGraceMs: number
  readonly pipeGraceMs: number
  readonly shell: string
}

// Only when no baseEnv is given (tests, tools): enough for scripts to find their tools and
// behave as the user. The server always gives one: its environment and power-server.conf's
// other lines minus its own settings (src/server/config/script-environment.ts).
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'USER', 'LOGNAME', 'SHELL', 'TZ'] as const

/** Checks runner options once, at construction, so a bad configuration fails before any script */
export function resolveOptions(options: RunnerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw optionError('options', 'expected an object', options)
  }
  const { concurrency } = options
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw optionError('concurrency', 'expected an integer of at least 1', concurrency)
  }
  return {
    concurrency,
    cwd: resolveCwd(options.cwd),
    baseEnv: resolveBaseEnv(options.baseEnv),
    maxOutputBytes: resolveCount('maxOutputBytes', options.maxOutputBytes, 65536),
    killGraceMs: resolveCount('killGraceMs', options.killGraceMs, 2000),
    pipeGraceMs: resolveCount('pipeGraceMs', options.pipeGraceMs, 300),
    shell: resolveShell(options.shell),
  }
}

function resolveCwd(cwd: unknown): string {
  if (cwd === undefined) return tmpdir()
  if (typeof cwd !== 'string' || cwd === '') throw optionError('cwd', 'expected a path', cwd)
  const stat = statSync(cwd, { throwIfNoEntry: false })
  if (!stat?.isDirectory()) throw optionError('cwd', 'expected an existing directory', cwd)
  return cwd
}

function resolveBaseEnv(baseEnv: unknown): Readonly<Record<string, string>> {
  if (baseEnv === undefined) {
    const env: Record<string, string> = {}
    for (const name of INHERITED_ENV) {
      const value = process.env[name]
      if (value !== undefined) env[name] = value
    }
    return Object.freeze(env)
  }
  if (typeof baseEnv !== 'object' || baseEnv === null) {
    throw optionError('baseEnv', 'expected an object of strings', baseEnv)
  }
  for (const [name, value] of Object.entries(baseEnv)) {
    if (typeof value !== 'string') {
      throw optionError('baseEnv', `expected a string for "${name}"`, value)
    }
  }
  return Object.freeze({ ...(baseEnv as Record<string, string>) })
}

function resolveCount(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw optionError(name, 'expected a non-negative integer', value)
  }
  return value as number
}

function resolveShell(shell: unknown): string {
  if (shell === undefined) shell = 'bash'
  if (typeof shell !== 'string' || shell === '')
    throw optionError('shell', 'expected a name', shell)
  const path = Bun.which(shell)
  if (path === null) throw optionError('shell', 'expected an executable on PATH', shell)
  return path
}

/** A factory given bad options is a programming error: a TypeError, as createApp's are. */
function optionError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Invalid runner option "${name}": ${expected}, got ${describe(value)}`)
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value)
}
