/**
 * A fingerprint of a parsed YAML value: how many keys, items and scalars of each type it holds,
 * at which depths, and a sum of hashes, one per key (with its depth) and one per scalar (with
 * its type, its text and the key it stands under). Order of keys does not enter it, as JavaScript
 * reorders integer-like keys anyway. Two readings of one text with equal digests have the same
 * keys at the same levels holding the same scalars; a dropped duplicate key, a scalar typed or
 * spelt differently, or a value under another key shows up.
 */
export class YamlDigest {
  keys = 0
  /** Sum over keys of the depth of their mapping (the top mapping is depth 0). */
  keyDepth = 0
  items = 0
  itemDepth = 0
  strings = 0
  numbers = 0
  booleans = 0
  nulls = 0
  /** Length of every key and scalar written as a string (numbers as `String(n)`). */
  chars = 0
  /** Sum of the hashes of keys and scalars, modulo 2**32, so the order of adding is free. */
  sum = 0
  /** Hash of the key the next scalar stands under; 0 for a list item. */
  #key = 0

  /** A key of `length` characters whose text hashes to `hash` (see `hashText`). */
  addKey(hash: number, length: number, depth: number): void {
    this.keys++
    this.keyDepth += depth
    this.chars += length
    this.sum = (this.sum + mix(hash, depth + 1)) >>> 0
    this.#key = hash
  }

  addItem(depth: number): void {
    this.items++
    this.itemDepth += depth
    this.#key = 0
  }

  /** A string scalar of `length` characters whose text hashes to `hash`. */
  addString(hash: number, length: number): void {
    this.strings++
    this.chars += length
    this.sum = (this.sum + mix(mix(hash, STRING), this.#key)) >>> 0
  }

  /** A scalar value; false for anything that is not a string, number, boolean or null. */
  addScalar(value: unknown): boolean {
    if (typeof value === 'string') {
      this.addString(hashText(value), value.length)
      return true
    }
    let type: number
    if (value === null) [type, this.nulls] = [NULL, this.nulls + 1]
    else if (typeof value === 'number') [type, this.numbers] = [NUMBER, this.numbers + 1]
    else if (typeof value === 'boolean') [type, this.booleans] = [BOOLEAN, this.booleans + 1]
    else return false
    const text = value === null ? '' : Object.is(value, -0) ? '-0' : String(value)
    this.chars += text.length
    this.sum = (this.sum + mix(mix(hashText(text), type), this.#key)) >>> 0
    return true
  }

  equals(other: YamlDigest): boolean {
    return (
      this.keys === other.keys &&
      this.keyDepth === other.keyDepth &&
      this.items === other.items &&
      this.itemDepth === other.itemDepth &&
      this.strings === other.strings &&
      this.numbers === other.numbers &&
      this.booleans === other.booleans &&
      this.nulls === other.nulls &&
      this.chars === other.chars &&
      this.sum === other.sum
    )
  }
}

const STRING = 1
const NUMBER = 2
const BOOLEAN = 3
const NULL = 4

/** FNV-1a's start: the hash of no text. */
export const EMPTY_HASH = 0x811c9dc5

/** FNV-1a over the UTF-16 code units of `text[at…stop)`. */
export function hashText(text: string, at = 0, stop = text.length): number {
  return hashMore(EMPTY_HASH, text, at, stop)
}

/** `hash` continued over `text[at…stop)`, for text that comes in pieces. */
export function hashMore(hash: number, text: string, at: number, stop: number): number {
  for (let i = at; i < stop; i++) hash = hashStep(hash, text.charCodeAt(i))
  return hash >>> 0
}

/** `hash` continued over one code unit; `>>> 0` the result once the text is done. */
export function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193)
}

/** Continue hash `a` with the hash of `b`, well mixed (murmur3's finaliser). */
export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x01000193) ^ b
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** The digest of a parsed value, or undefined when it holds anything but mappings, lists and scalars. */
export function digestOf(value: unknown): YamlDigest | undefined {
  const digest = new YamlDigest()
  return visit(value, 0, digest) ? digest : undefined
}

function visit(value: unknown, depth: number, digest: YamlDigest): boolean {
  if (Array.isArray(value)) {
    for (const item of value) {
      digest.addItem(depth)
      if (!visit(item, depth + 1, digest)) return false
    }
    return true
  }
  if (typeof value === 'object' && value !== null) {
    const prototype: unknown = Object.getPrototypeOf(value)
    if (prototype !== Object.prototype && prototype !== null) return false
    // for…in: a parsed mapping has only its own keys, and this is twice as fast as Object.keys.
    for (const key in value) {
      digest.addKey(hashText(key), key.length, depth)
      if (!visit((value as Record<string, unknown>)[key], depth + 1, digest)) return false
    }
    return true
  }
  return digest.addScalar(value)
}
