import { Fifo } from './fifo.ts'

/**
 * Keeps the last `limit` bytes written to a stream, dropping older chunks as new ones arrive so
 * a script printing gigabytes costs no more memory than one printing `limit` bytes.
 */
export class BoundedOutput {
  readonly #limit: number
  readonly #chunks = new Fifo<Uint8Array>()
  #bytes = 0
  #dropped = false

  constructor(limit: number) {
    this.#limit = limit
  }

  /** Bytes held right now: at most `limit` plus one chunk */
  get retainedBytes(): number {
    return this.#bytes
  }

  push(chunk: Uint8Array): void {
    if (chunk.length >= this.#limit) {
      this.#dropped ||= this.#bytes > 0 || chunk.length > this.#limit
      // Copy the tail so the big chunk itself can be collected.
      this.#chunks.drain()
      this.#chunks.push(chunk.slice(chunk.length - this.#limit))
      this.#bytes = this.#limit
      return
    }
    this.#chunks.push(chunk)
    this.#bytes += chunk.length
    for (;;) {
      const oldest = this.#chunks.peek()
      if (oldest === undefined || this.#bytes - oldest.length < this.#limit) break
      this.#chunks.shift()
      this.#bytes -= oldest.length
      this.#dropped = true
    }
  }

  /** The retained bytes as UTF-8, starting at a character boundary */
  toString(): string {
    if (this.#bytes === 0) return ''
    const all = Buffer.concat(this.#chunks.values(), this.#bytes)
    let start = Math.max(0, all.length - this.#limit)
    if (start > 0 || this.#dropped) {
      // Dropping bytes may have split a character: skip its orphaned continuation bytes.
      while (start < all.length && ((all[start] ?? 0) & 0xc0) === 0x80) start++
    }
    return all.toString('utf8', start)
  }
}
