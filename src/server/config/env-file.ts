/** One `KEY=value` assignment of an environment file, with the line it came from. */
export interface EnvAssignment {
  readonly key: string
  readonly value: string
  readonly line: number
}

/** An environment file as systemd reads it: assignments in order, plus lines it would ignore. */
export interface EnvFile {
  readonly assignments: readonly EnvAssignment[]
  /** `line 3: ...` descriptions of lines that were skipped, never quoting their text. */
  readonly warnings: readonly string[]
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Parse `KEY=value` text the way systemd's `EnvironmentFile=` does, so one file serves both
 * systemd and `flight-power serve --config`: `#`/`;` comment lines, whitespace around the
 * key, single quotes taken literally, double quotes with `\` escapes, unquoted values with
 * `\` escapes and trailing whitespace dropped, adjacent quoted parts joined, and `\` at a line
 * end continuing the value. A leading `export ` is tolerated as shell-style files have it.
 */
export function parseEnvFile(text: string): EnvFile {
  const assignments: EnvAssignment[] = []
  const warnings: string[] = []
  let i = 0
  let line = 1
  const peek = () => text[i]
  const next = () => {
    const char = text[i++]
    if (char === '\n') line++
    return char
  }
  const skipLine = () => {
    while (i < text.length && peek() !== '\n') next()
    next()
  }

  while (i < text.length) {
    while (i < text.length && /[ \t\r\n]/.test(peek() ?? '')) next()
    if (i >= text.length) break
    const start = line
    if (peek() === '#' || peek() === ';') {
      skipLine()
      continue
    }
    let key = ''
    while (i < text.length && peek() !== '=' && peek() !== '\n') key += next()
    // Warnings never quote the line: `jwt_shared_secret 'x'` (no "=") or a value holding "="
    // before its key's typo would put the secret in the journal.
    if (peek() !== '=') {
      warnings.push(`line ${start}: no "=": ignored`)
      next()
      continue
    }
    next() // '='
    key = key.trim().replace(/^export\s+/, '')
    const value = readValue()
    if (!KEY.test(key))
      warnings.push(`line ${start}: not a valid variable name before "=": ignored`)
    else assignments.push({ key, value, line: start })
  }
  return { assignments, warnings }

  // systemd's states after "=": quotes are special only where a value (part) starts.
  function readValue(): string {
    let value = ''
    // Length of `value` before its trailing unescaped whitespace, or -1 when there is none.
    let trimTo = -1
    let state: 'pre' | 'plain' = 'pre'
    while (i < text.length) {
      const char = next()
      if (char === '\n') break
      if (state === 'pre') {
        if (char === ' ' || char === '\t' || char === '\r') continue
        if (char === "'") {
          while (i < text.length && peek() !== "'") value += next()
          next()
          continue
        }
        if (char === '"') {
          value += readDoubleQuoted()
          continue
        }
        state = 'plain'
      }
      if (char === '\\') {
        const escaped = next()
        if (escaped !== '\n' && escaped !== undefined) value += escaped
        trimTo = -1
      } else if (char === ' ' || char === '\t' || char === '\r') {
        if (trimTo < 0) trimTo = value.length
        value += char
      } else {
        value += char
        trimTo = -1
      }
    }
    return trimTo >= 0 ? value.slice(0, trimTo) : value
  }

  function readDoubleQuoted(): string {
    let value = ''
    while (i < text.length && peek() !== '"') {
      const char = next()
      if (char !== '\\' || i >= text.length) {
        value += char
        continue
      }
      const escaped = next() ?? ''
      if (escaped === '\n') continue
      value += '"\\`$'.includes(escaped) ? escaped : `\\${escaped}`
    }
    next()
    return value
  }
}
