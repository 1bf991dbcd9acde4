import { cliText, type Action } from '../topology/index.ts'
import { TargetError } from './errors.ts'

/** Flags of `status` that answer from the server's last known state (SPEC §12). */
interface CacheFlags {
  readonly cached?: unknown
  readonly maxAge?: unknown
}

/**
 * `status --cached [--max-age S]` as query parameters (`cached=1&max_age=S`); `--max-age`
 * alone implies `--cached`. Checked before any request: a bad value is exit 2.
 */
export function cacheQuery(action: Action, flags: CacheFlags): Record<string, string> {
  if (flags.cached !== true && flags.maxAge === undefined) return {}
  if (action !== 'status') throw new TargetError('--cached and --max-age apply to status only')
  if (flags.maxAge === undefined) return { cached: '1' }
  const text = (cliText(flags.maxAge, '--max-age') ?? '').trim()
  if (!/^\d+$/.test(text))
    throw new TargetError(`Invalid --max-age "${text}": expected whole seconds, e.g. 300`)
  return { cached: '1', max_age: String(Number(text)) }
}

/** An age for people: `42s`, `5m`, `3h`, `2d`. */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.floor(seconds)}s`
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}
