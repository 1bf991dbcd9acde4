/*
 * A strict reader of the plain YAML that topologies are written in: block mappings and lists
 * indented with spaces, one-line scalars (plain, '…', "…" without escapes), one-line flow
 * mappings and lists of scalars, and literal block scalars (`|`, `|-`). Anything else (anchors,
 * aliases, merge keys, tags, directives, several documents, explicit, non-string or duplicate
 * keys, folded or indented block scalars, escapes, multi-line scalars, tabs outside scripts,
 * a mapping inside a block list item) is declined, and the `yaml` library reads the text
 * instead. Within the subset the value is the one the `yaml` library gives under YAML 1.2's
 * core schema (./yaml-subset.test.ts holds it to that), read about 25 times faster (100,000
 * nodes) and without line positions.
 */

const SPACE = 32
const TAB = 9
const HASH = 35
const COLON = 58
const DASH = 45
const COMMA = 44
const NEWLINE = 10
const SINGLE_QUOTE = 39
const DOUBLE_QUOTE = 34
const BACKSLASH = 92
const PIPE = 124
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
/** yaml refuses implicit keys over 1024 characters; keep well clear of the edge. */
const MAX_KEY = 1000
/** Characters that may not start a plain scalar or key here (YAML indicators and quotes). */
const INDICATORS = asciiTable('-?:,[]{}#&*!|>\'"%@`')
/** Characters YAML does not allow in a stream, or treats as line breaks (CR among them). */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const UNPRINTABLE = /[\x00-\x08\x0B-\x1F\x7F-\x9F\uD800-\uDFFF\u2028\u2029\uFEFF\uFFFE\uFFFF]/
/** First characters of a plain scalar that YAML 1.2's core schema may read as a non-string. */
const TYPED_START = asciiTable('0123456789+-.~nNtTfF')

/** Every form the core schema reads as a null, boolean or number, in one test (they are rare). */
const MAYBE_TYPED =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)?$/

/** A set of ASCII characters as a lookup table, for the hot loops. */
function asciiTable(chars: string): { has(code: number): boolean } {
  const table = new Uint8Array(128)
  for (const char of chars) table[char.charCodeAt(0)] = 1
  return { has: (code) => table[code] === 1 }
}

type Mapping = Record<string, unknown>

/** Thrown inside the reader when the text leaves the subset; never escapes it. */
class Declined extends Error {}

/**
 * The value of `text` when it keeps to the subset: `{ value }`, a plain mapping of plain
 * mappings, arrays and core-schema scalars, as the `yaml` library's toJS() gives it; undefined
 * when the `yaml` library must read the text.
 */
export function readYamlSubset(text: string): { value: unknown } | undefined {
  if (!printable(text)) return undefined
  try {
    return { value: new Reader(text).read() }
  } catch (error) {
    if (error instanceof Declined) return undefined
    throw error
  }
}

/** Whether YAML allows every character of `text` (and it has no CR, which we leave to yaml). */
function printable(text: string): boolean {
  // One quick pass for anything but printable ASCII; the few it finds are checked one by one.
  const unusual = /[^\t\n\x20-\x7E]/g
  for (let match = unusual.exec(text); match; match = unusual.exec(text)) {
    if (UNPRINTABLE.test(match[0])) return false
  }
  return true
}

/** The value of a plain scalar under YAML 1.2's core schema, as the `yaml` library reads it. */
export function coreScalar(source: string): string | number | boolean | null {
  if (source !== '' && !TYPED_START.has(source.charCodeAt(0))) return source
  if (!MAYBE_TYPED.test(source)) return source
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null
  if (/^(?:[Tt]rue|TRUE)$/.test(source)) return true
  if (/^(?:[Ff]alse|FALSE)$/.test(source)) return false
  if (/^0o[0-7]+$/.test(source)) return parseInt(source.slice(2), 8)
  if (/^[-+]?[0-9]+$/.test(source)) return parseInt(source, 10)
  if (/^0x[0-9a-fA-F]+$/.test(source)) return parseInt(source.slice(2), 16)
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) {
    if (source.slice(-3).toLowerCase() === 'nan') return Number.NaN
    return source.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source))
    return parseFloat(source)
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return parseFloat(source)
  return source
}

/** A block mapping or list still open, and the indent of its lines. */
type Container =
  | { readonly indent: number; readonly list: false; readonly value: Mapping }
  | { readonly indent: number; readonly list: true; readonly value: unknown[] }

/** A `key:` line with nothing after it: null, unless a deeper block follows. */
interface Pending {
  readonly indent: number
  readonly map: Mapping
  readonly key: string
}

class Reader {
  readonly #text: string
  readonly #open: Container[] = []
  #pending: Pending | undefined
  /** The index after the scalar, key or flow collection last read. */
  #end = 0
  /** Strings sliced lately, by a hash of length and ends (see #slice). */
  readonly #recent: (string | undefined)[] = new Array<string | undefined>(64).fill(undefined)

  constructor(text: string) {
    this.#text = text
  }

  read(): Mapping {
    const text = this.#text
    let start = 0
    while (start < text.length) {
      let end = text.indexOf('\n', start)
      if (end === -1) end = text.length
      let at = start
      while (at < end && text.charCodeAt(at) === SPACE) at++
      const code = at < end ? text.charCodeAt(at) : HASH
      if (code === TAB) decline()
      if (code === HASH) {
        start = end + 1
        continue
      }
      start = this.#line(start, at, end)
    }
    const root = this.#open[0]
    if (!root || root.list) return decline()
    return root.value
  }

  /** One line holding content from `at`; returns where the next line to read starts. */
  #line(start: number, at: number, end: number): number {
    const text = this.#text
    const indent = at - start
    if (indent === 0 && /^(?:---|\.\.\.|%)/.test(text.slice(at, at + 3))) decline()
    const list =
      text.charCodeAt(at) === DASH && (at + 1 === end || text.charCodeAt(at + 1) === SPACE)
    const open = this.#open
    const pending = this.#pending
    if (pending) {
      this.#pending = undefined
      if (indent > pending.indent) {
        const container: Container = list
          ? { indent, list, value: [] }
          : { indent, list, value: {} }
        pending.map[pending.key] = container.value
        open.push(container)
      }
    } else if (open.length === 0) {
      if (indent !== 0 || list) decline()
      open.push({ indent, list, value: {} })
    }
    while (open.length > 0 && open[open.length - 1]!.indent > indent) open.pop()
    const container = open[open.length - 1]
    if (!container || container.indent !== indent || container.list !== list) decline()

    if (container.list) {
      const value = this.#skipSpaces(at + 1, end)
      if (value >= end || text.charCodeAt(value) === HASH) decline()
      container.value.push(this.#inlineValue(value, end))
      return end + 1
    }

    const map = container.value
    const key = this.#blockKey(at, end, map)
    const value = this.#skipSpaces(this.#end + 1, end)
    if (value >= end || text.charCodeAt(value) === HASH) {
      map[key] = null
      this.#pending = { indent, map, key }
      return end + 1
    }
    if (text.charCodeAt(value) === PIPE) {
      map[key] = this.#literal(value, end, indent)
      return this.#end
    }
    map[key] = this.#inlineValue(value, end)
    return end + 1
  }

  /** A block mapping key from `at`, new to `map`, followed by `:` and a space or the line's end; leaves the `:` at #end. */
  #blockKey(at: number, end: number, map: Mapping): string {
    const text = this.#text
    const first = text.charCodeAt(at)
    let key: string
    let colon: number
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      key = this.#quoted(at, end)
      colon = this.#end
      if (text.charCodeAt(colon) !== COLON) decline()
    } else {
      if (INDICATORS.has(first)) decline()
      for (colon = at; ; colon++) {
        if (colon >= end) decline()
        const code = text.charCodeAt(colon)
        if (code === TAB) decline()
        if (code === HASH && text.charCodeAt(colon - 1) === SPACE) decline()
        if (code === COLON && (colon + 1 === end || text.charCodeAt(colon + 1) === SPACE)) break
      }
      if (text.charCodeAt(colon - 1) === SPACE) decline()
      key = this.#plainKey(at, colon)
    }
    if (colon + 1 < end && text.charCodeAt(colon + 1) !== SPACE) decline()
    this.#end = colon
    return this.#newKey(key, map)
  }

  /** `key`, if `map` may take it: a duplicate, `<<` or `__proto__` means the `yaml` library reads the text. */
  #newKey(key: string, map: Mapping): string {
    if (key.length > MAX_KEY || key === '<<' || key === '__proto__' || Object.hasOwn(map, key))
      decline()
    return key
  }

  /** A plain key `text[at…stop)`: it must read as a string, as written. */
  #plainKey(at: number, stop: number): string {
    const key = this.#slice(at, stop)
    if (this.#mayBeTyped(at, stop) && typeof coreScalar(key) !== 'string') decline()
    return key
  }

  /** A value on the rest of the line: a quoted or plain scalar, or a one-line flow collection. */
  #inlineValue(at: number, end: number): unknown {
    const first = this.#text.charCodeAt(at)
    let value: unknown
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) value = this.#quoted(at, end)
    else if (first === OPEN_BRACE) value = this.#flowMapping(at, end)
    else if (first === OPEN_BRACKET) value = this.#flowList(at, end)
    else return this.#plain(at, end)
    if (!this.#trailing(this.#end, end)) decline()
    return value
  }

  /** A plain scalar running to the end of the line or to a comment. */
  #plain(at: number, end: number): unknown {
    const text = this.#text
    if (this.#badStart(at)) decline()
    let last = at
    for (let i = at; i < end; i++) {
      const code = text.charCodeAt(i)
      if (code === TAB) decline()
      if (code === HASH && text.charCodeAt(i - 1) === SPACE) break
      if (code === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) decline()
      if (code !== SPACE) last = i + 1
    }
    return this.#scalar(at, last)
  }

  /** The plain scalar `text[at…stop)`. */
  #scalar(at: number, stop: number): unknown {
    if (this.#mayBeTyped(at, stop)) return coreScalar(this.#text.slice(at, stop))
    return this.#slice(at, stop)
  }

  /**
   * `text[at…stop)`, as the string sliced before when it is the same text: the keys and many
   * values of node lines repeat, and a string seen before is already a property key and is
   * kept once (for 100,000 nodes, 9 MB less heap and a little less time).
   */
  #slice(at: number, stop: number): string {
    const text = this.#text
    const length = stop - at
    const slot = (length * 7 + text.charCodeAt(at) + text.charCodeAt(stop - 1) * 3) & 63
    const recent = this.#recent[slot]
    if (recent?.length === length && text.startsWith(recent, at)) return recent
    const sliced = text.slice(at, stop)
    this.#recent[slot] = sliced
    return sliced
  }

  /** A one-line flow mapping of scalars from its `{`; leaves the index after its `}` at #end. */
  #flowMapping(at: number, end: number): Mapping {
    const text = this.#text
    const map: Mapping = {}
    let i = this.#skipSpaces(at + 1, end)
    if (text.charCodeAt(i) === CLOSE_BRACE) {
      this.#end = i + 1
      return map
    }
    for (;;) {
      const key = this.#newKey(this.#flowScalar(i, end, true) as string, map)
      i = this.#end
      if (text.charCodeAt(i) !== COLON || text.charCodeAt(i + 1) !== SPACE) decline()
      map[key] = this.#flowScalar(this.#skipSpaces(i + 1, end), end, false)
      i = this.#skipSpaces(this.#end, end)
      const code = text.charCodeAt(i)
      if (code === CLOSE_BRACE) {
        this.#end = i + 1
        return map
      }
      if (code !== COMMA) decline()
      i = this.#skipSpaces(i + 1, end)
    }
  }

  /** A one-line flow list of scalars from its `[`; leaves the index after its `]` at #end. */
  #flowList(at: number, end: number): unknown[] {
    const text = this.#text
    const list: unknown[] = []
    let i = this.#skipSpaces(at + 1, end)
    if (text.charCodeAt(i) === CLOSE_BRACKET) {
      this.#end = i + 1
      return list
    }
    for (;;) {
      list.push(this.#flowScalar(i, end, false))
      i = this.#skipSpaces(this.#end, end)
      const code = text.charCodeAt(i)
      if (code === CLOSE_BRACKET) {
        this.#end = i + 1
        return list
      }
      if (code !== COMMA) decline()
      i = this.#skipSpaces(i + 1, end)
    }
  }

  /**
   * A quoted or plain scalar inside a flow collection, a key (a string, which must end right
   * at its `:`) or a value; leaves the index after it at #end.
   */
  #flowScalar(at: number, end: number, key: boolean): unknown {
    const text = this.#text
    const first = text.charCodeAt(at)
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) return this.#quoted(at, end)
    if (at >= end || this.#badStart(at)) decline()
    let last = at
    let stop = at
    for (; stop < end; stop++) {
      const code = text.charCodeAt(stop)
      if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET) break
      if (code === COLON) {
        if (key) break
        decline()
      }
      if (code === TAB || code === HASH || code === OPEN_BRACKET || code === OPEN_BRACE) decline()
      if (code !== SPACE) last = stop + 1
    }
    this.#end = stop
    if (!key) return this.#scalar(at, last)
    if (last !== stop) decline()
    return this.#plainKey(at, stop)
  }

  /** Whether a plain value cannot start at `at`: an indicator, but `-` only before a space (`-1` is a number). */
  #badStart(at: number): boolean {
    const text = this.#text
    const first = text.charCodeAt(at)
    if (first !== DASH) return INDICATORS.has(first)
    const next = text.charCodeAt(at + 1)
    return Number.isNaN(next) || INDICATORS.has(next) || next === SPACE || next === NEWLINE
  }

  /** Whether the core schema may read `text[at…stop)` as other than a string (a cheap first test). */
  #mayBeTyped(at: number, stop: number): boolean {
    const first = this.#text.charCodeAt(at)
    if (!TYPED_START.has(first)) return false
    // null, true and their capitalised forms have four letters; false has five.
    if (first === 110 || first === 78 || first === 116 || first === 84) return stop - at === 4
    if (first === 102 || first === 70) return stop - at === 5
    return true
  }

  /** A '…' or "…" scalar closed on this line ("…" without escapes); leaves the index after it at #end. */
  #quoted(at: number, end: number): string {
    const text = this.#text
    const quote = text.charCodeAt(at)
    let value = ''
    let from = at + 1
    for (let i = at + 1; i < end; i++) {
      const code = text.charCodeAt(i)
      if (code === TAB || (code === BACKSLASH && quote === DOUBLE_QUOTE)) decline()
      if (code !== quote) continue
      if (quote === SINGLE_QUOTE && text.charCodeAt(i + 1) === SINGLE_QUOTE) {
        value += text.slice(from, i + 1)
        from = i + 2
        i++
        continue
      }
      this.#end = i + 1
      return value + text.slice(from, i)
    }
    return decline()
  }

  /**
   * A literal block scalar (`|` or `|-`) whose header is at `at` on a key line indented
   * `parent`; leaves at #end where the line after its body starts.
   */
  #literal(at: number, end: number, parent: number): string {
    const text = this.#text
    let i = at + 1
    const strip = text.charCodeAt(i) === DASH
    if (strip) i++
    if (!this.#trailing(i, end)) decline()

    let indent = -1
    let leadingBlank = 0
    let blanks = 0
    let lines = 0
    let value = ''
    let lastEnd = end
    let start = end + 1
    while (start < text.length) {
      let lineEnd = text.indexOf('\n', start)
      if (lineEnd === -1) lineEnd = text.length
      let content = start
      while (content < lineEnd && text.charCodeAt(content) === SPACE) content++
      const spaces = content - start
      if (content === lineEnd) {
        // An empty line: part of the text if more lines follow, else dropped by chomping.
        if (indent === -1) leadingBlank = Math.max(leadingBlank, spaces)
        else if (spaces > indent) decline()
        blanks++
        start = lineEnd + 1
        continue
      }
      if (spaces <= parent) break
      if (indent === -1) {
        indent = spaces
        if (leadingBlank > indent) decline()
      } else if (spaces < indent) {
        decline()
      }
      // Line breaks before this line: one per empty line, and the previous line's own.
      const breaks = blanks + (lines > 0 ? 1 : 0)
      if (breaks > 0) value += '\n'.repeat(breaks)
      value += text.slice(start + indent, lineEnd)
      lines++
      blanks = 0
      lastEnd = lineEnd
      start = lineEnd + 1
    }
    if (lines === 0) decline()
    if (!strip) {
      // Clip keeps the last line's own line break, when the file has one.
      if (lastEnd >= text.length) decline()
      value += '\n'
    }
    this.#end = start
    return value
  }

  #skipSpaces(at: number, end: number): number {
    while (at < end && this.#text.charCodeAt(at) === SPACE) at++
    return at
  }

  /** Whether `at`…`end` holds only spaces, perhaps then a comment (after at least one space). */
  #trailing(at: number, end: number): boolean {
    const i = this.#skipSpaces(at, end)
    return i >= end || (this.#text.charCodeAt(i) === HASH && i > at)
  }
}

function decline(): never {
  throw new Declined()
}
