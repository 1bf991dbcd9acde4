import { FlightPowerError } from './flight-power-error.ts'
/** Most names one expression may expand to unless the caller sets its own limit. */
export const DEFAULT_EXPANSION_LIMIT = 100_000

// Bracket numbers are held as JS numbers; 15 digits stays below Number.MAX_SAFE_INTEGER.
const MAX_DIGITS = 15
const NAME = /^[A-Za-z0-9._-]+$/
const RANGE = /^(\d+)(?:-(\d+))?$/

/** Thrown for a malformed or oversized hostlist; `expression` is the input as given. */
export class HostlistError extends FlightPowerError {
  static override code = 'ERR_HOSTLIST'
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message)
  }
}

/** Options of `expandHostlist`. */
export interface ExpandOptions {
  /** Most names the expression may expand to, counted before duplicates are removed. */
  limit?: number
  /** Members of the group an `@name` term names, or undefined when there is no such group. */
  resolveGroup?: (name: string) => readonly string[] | undefined
}

/** A run of numbers; `width` is the zero-padded width, 0 for unpadded numbers. */
type Range = { lo: number; hi: number; width: number }

/** One slot of a term: how many strings it offers, and the strings when they are wanted. */
type Part = { size: number; choices: () => readonly string[] }

/** Expands a Slurm-style hostlist (`a,node[01-03],@group`) into unique names, first seen first. */
export function expandHostlist(expression: string, options: ExpandOptions = {}): string[] {
  const limit = options.limit ?? DEFAULT_EXPANSION_LIMIT
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`Invalid expansion limit "${limit}": expected a non-negative integer`)
  }
  const terms = splitTerms(expression).map((term) => parseTerm(term, expression, options))
  // Count first so that `node[1-99999999]` fails at once instead of allocating.
  let total = 0
  for (const parts of terms) {
    total += parts.reduce((product, part) => product * part.size, 1)
    if (total > limit) fail(expression, `expands to more than ${limit} names`)
  }
  const result = new Set<string>()
  for (const parts of terms) {
    // An empty group makes the whole product empty; skip before materialising the other parts.
    if (parts.some((part) => part.size === 0)) continue
    let names = ['']
    for (const part of parts) {
      const choices = part.choices()
      const next: string[] = []
      for (const head of names) for (const choice of choices) next.push(head + choice)
      names = next
    }
    for (const name of names) result.add(name)
  }
  return [...result]
}

function fail(expression: string, detail: string): never {
  throw new HostlistError(`Invalid hostlist "${expression}": ${detail}`, expression)
}

function splitTerms(expression: string): string[] {
  const terms: string[] = []
  let inBracket = false
  let start = 0
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i]
    if (char === '[') {
      if (inBracket) fail(expression, 'nested "["')
      inBracket = true
    } else if (char === ']') {
      if (!inBracket) fail(expression, 'unbalanced "]"')
      inBracket = false
    } else if (char === ',' && !inBracket) {
      terms.push(expression.slice(start, i).trim())
      start = i + 1
    }
  }
  if (inBracket) fail(expression, 'unbalanced "["')
  terms.push(expression.slice(start).trim())
  if (terms.includes('')) fail(expression, 'empty term')
  return terms
}

function parseTerm(term: string, expression: string, options: ExpandOptions): Part[] {
  if (term.startsWith('@')) {
    const group = term.slice(1)
    if (!NAME.test(group)) fail(expression, `invalid group name "${group}"`)
    const names = options.resolveGroup?.(group)
    if (names === undefined) {
      const why = options.resolveGroup ? '' : ': no groups are defined'
      const message = `Unknown group "${group}" in hostlist "${expression}"${why}`
      throw new HostlistError(message, expression)
    }
    const bad = names.find((name) => !NAME.test(name))
    if (bad !== undefined) fail(expression, `group "${group}" holds invalid node name "${bad}"`)
    return [{ size: names.length, choices: () => names }]
  }
  // Brackets are known balanced and flat here, so the capture alternates text and bracket.
  return term
    .split(/(\[[^\]]*\])/)
    .filter((piece) => piece !== '')
    .map((piece) => {
      if (piece.startsWith('[')) return parseBracket(piece, expression)
      const bad = [...piece].find((char) => !NAME.test(char))
      if (bad !== undefined) fail(expression, `invalid character "${bad}" in "${term}"`)
      return { size: 1, choices: () => [piece] }
    })
}

function parseBracket(bracket: string, expression: string): Part {
  const inner = bracket.slice(1, -1)
  if (inner === '') fail(expression, 'empty brackets')
  const ranges = inner.split(',').map((item): Range => {
    if (item === '') fail(expression, `empty range in "${bracket}"`)
    const match = RANGE.exec(item)
    if (!match) fail(expression, `invalid range "${item}" in "${bracket}"`)
    const low = match[1] ?? ''
    const high = match[2] ?? low
    const long = [low, high].find((digits) => digits.length > MAX_DIGITS)
    if (long !== undefined) fail(expression, `number "${long}" is longer than ${MAX_DIGITS} digits`)
    const lo = Number(low)
    const hi = Number(high)
    if (lo > hi) fail(expression, `reversed range "${item}"`)
    // Slurm's rule: a leading zero on the low bound fixes the width of every number.
    return { lo, hi, width: isPadded(low) ? low.length : 0 }
  })
  const size = ranges.reduce((sum, { lo, hi }) => sum + hi - lo + 1, 0)
  // Built only on demand, after the size has been checked against the limit.
  function choices(): string[] {
    const numbers: string[] = []
    for (const { lo, hi, width } of ranges) {
      for (let n = lo; n <= hi; n++) numbers.push(formatNumber(n, width))
    }
    return numbers
  }
  return { size, choices }
}

function isPadded(digits: string): boolean {
  return digits.length > 1 && digits.startsWith('0')
}

function formatNumber(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** Names sharing prefix and suffix around their last digit run; a digitless name has none. */
type Family = { prefix: string; suffix: string; numbers: string[] }

/** Folds names into a sorted hostlist of ranges that `expandHostlist` turns back into them. */
export function foldHostlist(names: Iterable<string>): string {
  const families = new Map<string, Family>()
  for (const name of new Set(names)) {
    if (!NAME.test(name)) throw new HostlistError(`Cannot fold invalid node name "${name}"`, name)
    let end = name.length
    while (end > 0 && !isDigit(name.charCodeAt(end - 1))) end--
    let start = end
    while (start > 0 && isDigit(name.charCodeAt(start - 1))) start--
    const digits = name.slice(start, end)
    // No digits, or too many for a bracket (expansion rejects them): the name stays as written.
    if (digits === '' || digits.length > MAX_DIGITS) {
      families.set(`\u0001${name}`, { prefix: name, suffix: '', numbers: [] })
      continue
    }
    const prefix = name.slice(0, start)
    const suffix = name.slice(end)
    // NUL cannot occur in a valid name, so the key is unambiguous.
    const key = `${prefix}\u0000${suffix}`
    const family = families.get(key) ?? { prefix, suffix, numbers: [] }
    families.set(key, family)
    family.numbers.push(digits)
  }
  return [...families.values()]
    .sort(
      (a, b) =>
        compareNatural(a.prefix, b.prefix) ||
        compareNatural(a.suffix, b.suffix) ||
        Math.sign(a.numbers.length) - Math.sign(b.numbers.length),
    )
    .map(({ prefix, suffix, numbers }) => {
      const body = numbers.length > 0 ? foldNumbers(numbers) : ''
      // A lone number is written bare: node05, not node[05].
      return prefix + (/^\d*$/.test(body) ? body : `[${body}]`) + suffix
    })
    .join(',')
}

// node1 and node01 are different names, so every run keeps one width and must expand to exactly
// its members. A padded run starts on a zero-padded number; an unpadded number may continue a
// padded run when it is at least as wide, because padding leaves it unchanged (node[08-10]).
function foldNumbers(numbers: readonly string[]): string {
  const items = numbers
    .map((text) => ({ text, value: Number(text) }))
    .sort((a, b) => a.value - b.value || a.text.length - b.text.length)
  const open = new Map<number, Range>()
  const done: Range[] = []
  for (const { text, value } of items) {
    const width = isPadded(text) ? text.length : 0
    let run = open.get(width)
    if (width === 0 && run?.hi !== value - 1) {
      for (const [w, candidate] of open) {
        if (w > 0 && w <= text.length && candidate.hi === value - 1) run = candidate
      }
    }
    if (run !== undefined && run.hi === value - 1) {
      run.hi = value
      continue
    }
    const previous = open.get(width)
    if (previous) done.push(previous)
    open.set(width, { lo: value, hi: value, width })
  }
  for (const range of open.values()) done.push(range)
  return done
    .sort((a, b) => a.lo - b.lo || a.width - b.width)
    .map(({ lo, hi, width }) => {
      const low = formatNumber(lo, width)
      return lo === hi ? low : `${low}-${formatNumber(hi, width)}`
    })
    .join(',')
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/** Natural order (node2 before node10), made total by length and then code-unit order. */
export function compareNatural(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(j)
    if (!isDigit(ca) || !isDigit(cb)) {
      if (ca !== cb) return ca - cb
      i++
      j++
      continue
    }
    let endA = i
    while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++
    let endB = j
    while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++
    // Compare digit strings without leading zeros so runs of any length compare by value.
    while (i < endA - 1 && a.charCodeAt(i) === 48) i++
    while (j < endB - 1 && b.charCodeAt(j) === 48) j++
    if (endA - i !== endB - j) return endA - i - (endB - j)
    for (; i < endA; i++, j++) {
      const diff = a.charCodeAt(i) - b.charCodeAt(j)
      if (diff !== 0) return diff
    }
  }
  const rest = a.length - i - (b.length - j)
  if (rest !== 0) return rest
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

/** Whether `name` is a valid node name: letters, digits, `.`, `_` and `-` only. */
export function isValidNodeName(name: string): boolean {
  return NAME.test(name)
}
