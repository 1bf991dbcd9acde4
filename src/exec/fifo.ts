/** First-in first-out queue with O(1) shift, for queues that may hold thousands of runs */
export class Fifo<T> {
  #items: (T | undefined)[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  push(item: T): void {
    this.#items.push(item)
  }

  /** The oldest item, left in place */
  peek(): T | undefined {
    return this.#head === this.#items.length ? undefined : this.#items[this.#head]
  }

  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head++] = undefined
    // Reclaim the dead prefix once it dominates, so a long-lived queue does not grow forever.
    if (this.#head === this.#items.length) {
      this.#items = []
      this.#head = 0
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  /** What the queue holds, oldest first, left in place */
  values(): T[] {
    return this.#items.slice(this.#head) as T[]
  }

  /** Empties the queue, returning what it held in order */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[]
    this.#items = []
    this.#head = 0
    return items
  }
}
