import { isRecord, type Path, type Report } from './problem-report.ts'
import { DEFAULT_RANGED_CHUNK, SCRIPT_KEYS, type ScriptKey } from './types.ts'

/** The platform keys this file reads. */
export const RANGED_KEYS = ['ranged', 'ranged_chunk'] as const
/** A ranged process takes at most this many nodes: its input file and output stay small. */
const MAX_RANGED_CHUNK = 4096

/**
 * A platform's ranged scripts (`ranged: { status: ..., power_on: ... }`, by script key) and
 * its chunk size (`ranged_chunk`): scripts that take many nodes in one process (SPEC §14).
 */
export function readRanged(
  spec: Record<string, unknown>,
  at: (key?: string) => Path,
  report: Report,
): { ranged: Partial<Record<ScriptKey, string>>; rangedChunk: number } {
  const ranged: Partial<Record<ScriptKey, string>> = {}
  const value = spec.ranged
  if (value !== undefined && value !== null) {
    if (!isRecord(value)) {
      report(
        at('ranged'),
        'must be a mapping of script keys to ranged scripts, e.g. { status: ... }, or { keys: [...], script: ... }',
      )
    } else if (value.keys !== undefined || value.script !== undefined) {
      readShared(value, [...at('ranged')], ranged, report)
    } else {
      for (const [key, script] of Object.entries(value)) {
        const path = [...at('ranged'), key]
        if (!(SCRIPT_KEYS as readonly string[]).includes(key))
          report(path, `unknown script key: expected one of ${SCRIPT_KEYS.join(', ')}`)
        else if (typeof script !== 'string' || script.trim() === '')
          report(path, 'must be a string holding a bash script')
        else ranged[key as ScriptKey] = script
      }
    }
  }
  let rangedChunk = DEFAULT_RANGED_CHUNK
  const chunk = spec.ranged_chunk
  if (chunk !== undefined && chunk !== null) {
    if (!Number.isInteger(chunk) || (chunk as number) < 1 || (chunk as number) > MAX_RANGED_CHUNK)
      report(at('ranged_chunk'), `must be a whole number of nodes from 1 to ${MAX_RANGED_CHUNK}`)
    else rangedChunk = chunk as number
  }
  return { ranged, rangedChunk }
}

/**
 * `ranged: { keys: [status, power_on], script: ... }`: one script for several keys, which
 * reads `FLIGHT_POWER_KEY` — written once, with no YAML anchor (the fast topology path
 * declines anchors, and a 100,000-node file should not lose it for one shared script).
 */
function readShared(
  value: Record<string, unknown>,
  path: Path,
  ranged: Partial<Record<ScriptKey, string>>,
  report: Report,
): void {
  for (const key of Object.keys(value)) {
    if (key !== 'keys' && key !== 'script')
      report([...path, key], 'unknown key: a shared ranged script has "keys" and "script"')
  }
  const { keys, script } = value
  if (typeof script !== 'string' || script.trim() === '') {
    report([...path, 'script'], 'must be a string holding a bash script')
    return
  }
  if (!Array.isArray(keys) || keys.length === 0) {
    report([...path, 'keys'], `must be a list of script keys, e.g. [status, power_on]`)
    return
  }
  keys.forEach((key, index) => {
    if (!(SCRIPT_KEYS as readonly unknown[]).includes(key))
      report(
        [...path, 'keys', index],
        `unknown script key ${JSON.stringify(key)}: expected one of ${SCRIPT_KEYS.join(', ')}`,
      )
    else ranged[key as ScriptKey] = script
  })
}
