import type { Step } from './driver.ts'

/**
 * A chunk's input file: for each node, NUL-terminated `key=value` entries (`name` first,
 * then the platform's listed variables), and an empty entry ending the node. Bash reads it
 * without eval: `while IFS= read -r -d '' entry`. Null when a value holds a NUL, which the
 * format cannot carry (nor can an environment variable).
 */
export function rangedInput(steps: readonly Step[]): string | null {
  let text = ''
  for (const step of steps) {
    const entries = [`name=${step.node.name}`]
    for (const variable of step.platform.variables) {
      if (variable === 'name') continue
      entries.push(`${variable}=${step.env[variable] ?? ''}`)
    }
    for (const entry of entries) {
      if (entry.includes('\0')) return null
      text += `${entry}\0`
    }
    text += '\0'
  }
  return text
}

/** What a ranged script said of one node: its exit code and, unless empty, its message. */
export interface RangedLine {
  readonly exitCode: number
  readonly message: string | null
}

/**
 * A ranged script's stdout, one line per node: `NAME<TAB>EXIT_CODE[<TAB>message]`. Lines
 * that do not have that form, name a node not in the chunk, or repeat one, are ignored
 * (the first line for a node wins), so a stray line of a tool's output cannot answer for a node.
 */
export function parseRangedOutput(
  stdout: string,
  names: ReadonlySet<string>,
): Map<string, RangedLine> {
  const lines = new Map<string, RangedLine>()
  for (const raw of stdout.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const first = line.indexOf('\t')
    if (first < 0) continue
    const name = line.slice(0, first)
    if (!names.has(name) || lines.has(name)) continue
    const second = line.indexOf('\t', first + 1)
    const code = line.slice(first + 1, second < 0 ? undefined : second)
    if (!/^\d{1,3}$/.test(code) || Number(code) > 255) continue
    const message = second < 0 ? '' : line.slice(second + 1).trim()
    lines.set(name, {
      exitCode: Number(code),
      message: message === '' ? null : message.length > 500 ? `${message.slice(0, 500)}…` : message,
    })
  }
  return lines
}
