import { EMPTY_HASH, hashMore, hashStep, hashText, YamlDigest } from './yaml-digest.ts'

/*
 * A strict reader of the plain YAML that topologies are written in: block mappings and lists
 * indented with spaces, one-line scalars (plain, '…', "…" without escapes), one-line flow
 * mappings and lists of scalars, and literal block scalars (`|`, `|-`). Anything else (anchors,
 * aliases, merge keys, tags, directives, several documents, explicit or non-string keys,
 * folded or indented block scalars, escapes, multi-line scalars, tabs outside scripts) is
 * declined: those are where Bun.YAML and the `yaml` library may read a text differently.
 * It builds no value, only the digest of the value the text holds under YAML 1.2's core
 * schema, which the fast parser's result must match.
 */

const SPACE = 32
const TAB = 9
const HASH = 35
const COLON = 58
const DASH = 45
const NEWLINE = 10
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

/** Thrown inside the scanner when the text leaves the subset; never escapes it. */
class Declined extends Error {}

/** The digest of the value `text` holds, or undefined when the text leaves the subset. */
export function scanSubset(text: string): YamlDigest | undefined {
  if (!printable(text)) return undefined
  try {
    return new Scanner(text).scan()
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

interface Container {
  readonly indent: number
  readonly list: boolean
}

class Scanner {
  readonly #text: string
  readonly #digest = new YamlDigest()
  readonly #open: Container[] = []
  /** Indent of a `key:` line whose value (a nested block, or null) is still to come. */
  #pendingKey = -1

  constructor(text: string) {
    this.#text = text
  }

  scan(): YamlDigest {
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
    if (this.#pendingKey !== -1) this.#digest.addScalar(null)
    if (this.#open.length === 0) decline()
    return this.#digest
  }

  /** One line holding content from `at`; returns where the next line to read starts. */
  #line(start: number, at: number, end: number): number {
    const text = this.#text
    const indent = at - start
    if (indent === 0 && /^(?:---|\.\.\.|%)/.test(text.slice(at, at + 3))) decline()
    const list =
      text.charCodeAt(at) === DASH && (at + 1 === end || text.charCodeAt(at + 1) === SPACE)
    const open = this.#open
    if (this.#pendingKey !== -1) {
      const parent = this.#pendingKey
      this.#pendingKey = -1
      if (indent > parent) open.push({ indent, list })
      else this.#digest.addScalar(null)
    } else if (open.length === 0) {
      if (indent !== 0 || list) decline()
      open.push({ indent, list })
    }
    while (open.length > 0 && open[open.length - 1]!.indent > indent) open.pop()
    const container = open[open.length - 1]
    if (!container || container.indent !== indent || container.list !== list) decline()
    const depth = open.length - 1

    if (list) {
      this.#digest.addItem(depth)
      const value = this.#skipSpaces(at + 1, end)
      if (value >= end || text.charCodeAt(value) === HASH) decline()
      this.#inlineValue(value, end, depth + 1)
      return end + 1
    }

    const colon = this.#blockKey(at, end, depth)
    const value = this.#skipSpaces(colon + 1, end)
    if (value >= end || text.charCodeAt(value) === HASH) {
      this.#pendingKey = indent
      return end + 1
    }
    if (text.charCodeAt(value) === '|'.charCodeAt(0)) return this.#literal(value, end, indent)
    this.#inlineValue(value, end, depth + 1)
    return end + 1
  }

  /** A block mapping key from `at`, followed by `:` and a space or the line's end; returns the index of its `:`. */
  #blockKey(at: number, end: number, depth: number): number {
    const text = this.#text
    const first = text.charCodeAt(at)
    let colon = at
    if (first === 39 || first === 34) {
      const quoted = this.#quoted(at, end)
      colon = quoted.end
      if (text.charCodeAt(colon) !== COLON) decline()
      this.#addKey(quoted.value, depth)
    } else {
      if (INDICATORS.has(first)) decline()
      let hash = EMPTY_HASH
      for (; ; colon++) {
        if (colon >= end) decline()
        const code = text.charCodeAt(colon)
        if (code === TAB) decline()
        if (code === HASH && text.charCodeAt(colon - 1) === SPACE) decline()
        if (code === COLON && (colon + 1 === end || text.charCodeAt(colon + 1) === SPACE)) break
        hash = hashStep(hash, code)
      }
      if (text.charCodeAt(colon - 1) === SPACE) decline()
      this.#addPlainKey(at, colon, hash >>> 0, depth)
    }
    if (colon + 1 < end && text.charCodeAt(colon + 1) !== SPACE) decline()
    return colon
  }

  #addKey(key: string, depth: number): void {
    if (key.length > MAX_KEY || key === '<<' || key === '__proto__') decline()
    this.#digest.addKey(hashText(key), key.length, depth)
  }

  /** A value on the rest of the line: a quoted or plain scalar, or a one-line flow collection. */
  #inlineValue(at: number, end: number, depth: number): void {
    const text = this.#text
    const first = text.charCodeAt(at)
    let after: number
    if (first === 39 || first === 34) {
      const quoted = this.#quoted(at, end)
      this.#digest.addScalar(quoted.value)
      after = quoted.end
    } else if (first === '{'.charCodeAt(0)) {
      after = this.#flow(at, end, depth, '}')
    } else if (first === '['.charCodeAt(0)) {
      after = this.#flow(at, end, depth, ']')
    } else {
      this.#plain(at, end)
      return
    }
    if (!this.#trailing(after, end)) decline()
  }

  /** A plain scalar running to the end of the line or to a comment. */
  #plain(at: number, end: number): void {
    const text = this.#text
    if (this.#badStart(at)) decline()
    // One pass: check, and hash up to the last character that is not a space.
    let hash = EMPTY_HASH
    let kept = hash
    let last = at
    for (let i = at; i < end; i++) {
      const code = text.charCodeAt(i)
      if (code === TAB) decline()
      if (code === HASH && text.charCodeAt(i - 1) === SPACE) break
      if (code === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) decline()
      hash = hashStep(hash, code)
      if (code !== SPACE) {
        kept = hash
        last = i + 1
      }
    }
    this.#addPlain(at, last, kept >>> 0)
  }

  /** A plain scalar `text[at…stop)` whose text hashes to `hash`. */
  #addPlain(at: number, stop: number, hash: number): void {
    if (this.#mayBeTyped(at, stop)) {
      this.#digest.addScalar(coreScalar(this.#text.slice(at, stop)))
      return
    }
    this.#digest.addString(hash, stop - at)
  }

  /** A one-line flow mapping or list of scalars from its opening bracket; returns the index after its close. */
  #flow(at: number, end: number, depth: number, close: '}' | ']'): number {
    const text = this.#text
    const map = close === '}'
    const closeCode = close.charCodeAt(0)
    let i = this.#skipSpaces(at + 1, end)
    if (text.charCodeAt(i) === closeCode) return i + 1
    for (;;) {
      if (map) {
        i = this.#flowScalar(i, end, depth)
        if (text.charCodeAt(i) !== COLON || text.charCodeAt(i + 1) !== SPACE) decline()
        i = this.#skipSpaces(i + 1, end)
      } else {
        this.#digest.addItem(depth)
      }
      i = this.#skipSpaces(this.#flowScalar(i, end, -1), end)
      const code = text.charCodeAt(i)
      if (code === closeCode) return i + 1
      if (code !== ','.charCodeAt(0)) decline()
      i = this.#skipSpaces(i + 1, end)
    }
  }

  /**
   * A quoted or plain scalar inside a flow collection, counted as a key at `keyDepth` or, when
   * that is -1, as a value; returns the index after it (a plain key must end right at its `:`).
   */
  #flowScalar(at: number, end: number, keyDepth: number): number {
    const text = this.#text
    const key = keyDepth !== -1
    const first = text.charCodeAt(at)
    if (first === 39 || first === 34) {
      const quoted = this.#quoted(at, end)
      if (key) this.#addKey(quoted.value, keyDepth)
      else this.#digest.addScalar(quoted.value)
      return quoted.end
    }
    if (at >= end || this.#badStart(at)) decline()
    let hash = EMPTY_HASH
    let kept = hash
    let last = at
    let stop = at
    for (; stop < end; stop++) {
      const code = text.charCodeAt(stop)
      if (code === 44 || code === 125 || code === 93) break // , } ]
      if (code === COLON) {
        if (key) break
        decline()
      }
      if (code === TAB || code === HASH || code === 91 || code === 123) decline() // [ {
      hash = hashStep(hash, code)
      if (code !== SPACE) {
        kept = hash
        last = stop + 1
      }
    }
    if (key) {
      if (last !== stop) decline()
      this.#addPlainKey(at, stop, kept >>> 0, keyDepth)
    } else {
      this.#addPlain(at, last, kept >>> 0)
    }
    return stop
  }

  /** A plain key `text[at…stop)` hashing to `hash`: it must read as a string, as written. */
  #addPlainKey(at: number, stop: number, hash: number, depth: number): void {
    const text = this.#text
    const first = text.charCodeAt(at)
    if (this.#mayBeTyped(at, stop) || first === 60 || first === 95 || stop - at > MAX_KEY) {
      const key = text.slice(at, stop)
      if (typeof coreScalar(key) !== 'string') decline()
      this.#addKey(key, depth)
      return
    }
    this.#digest.addKey(hash, stop - at, depth)
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

  /** A '…' or "…" scalar closed on this line ("…" without escapes); `end` is the index after it. */
  #quoted(at: number, end: number): { value: string; end: number } {
    const text = this.#text
    const quote = text.charCodeAt(at)
    let value = ''
    let from = at + 1
    for (let i = at + 1; i < end; i++) {
      const code = text.charCodeAt(i)
      if (code === TAB || (code === 92 && quote === 34)) decline()
      if (code !== quote) continue
      if (quote === 39 && text.charCodeAt(i + 1) === 39) {
        value += text.slice(from, i + 1)
        from = i + 2
        i++
        continue
      }
      return { value: value + text.slice(from, i), end: i + 1 }
    }
    return decline()
  }

  /**
   * A literal block scalar (`|` or `|-`) whose header is at `at` on a key line indented
   * `parent`; counts its text and returns where the line after its body starts.
   */
  #literal(at: number, end: number, parent: number): number {
    const text = this.#text
    let i = at + 1
    const strip = text.charCodeAt(i) === DASH
    if (strip) i++
    if (!this.#trailing(i, end)) decline()

    let indent = -1
    let leadingBlank = 0
    let blanks = 0
    let lines = 0
    let chars = 0
    let hash = EMPTY_HASH
    let lastEnd = end
    let start = end + 1
    while (start < text.length) {
      let lineEnd = text.indexOf('\n', start)
      if (lineEnd === -1) lineEnd = text.length
      let at2 = start
      while (at2 < lineEnd && text.charCodeAt(at2) === SPACE) at2++
      const spaces = at2 - start
      if (at2 === lineEnd) {
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
      for (let k = 0; k < breaks; k++) hash = hashMore(hash, '\n', 0, 1)
      hash = hashMore(hash, text, start + indent, lineEnd)
      chars += breaks + lineEnd - start - indent
      lines++
      blanks = 0
      lastEnd = lineEnd
      start = lineEnd + 1
    }
    if (lines === 0) decline()
    if (!strip) {
      // Clip keeps the last line's own line break, when the file has one.
      if (lastEnd >= text.length) decline()
      chars++
      hash = hashMore(hash, '\n', 0, 1)
    }
    this.#digest.addString(hash, chars)
    return start
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
