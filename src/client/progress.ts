/** What `startProgress` writes to: the process's stderr, or a fake in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean
  write(text: string): unknown
}

/** A running progress line; `stop()` erases it before the real output is printed. */
export interface Progress {
  stop(): void
  /** Erase it for a moment, so a line of output can be written to the same terminal. */
  clear(): void
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * Show `text()` with a spinner and the seconds elapsed on stderr, only on a terminal and only
 * once an operation has taken a second: quick commands stay quiet, and logs and pipes never
 * see carriage returns.
 */
export function startProgress(
  text: () => string,
  stream: ProgressStream,
  options: { delayMs?: number } = {},
): Progress {
  if (!stream.isTTY) return { stop() {}, clear() {} }
  const started = Date.now()
  let frame = 0
  let shown = false
  const draw = () => {
    const seconds = Math.floor((Date.now() - started) / 1000)
    stream.write(`\r\u001b[K${FRAMES[frame++ % FRAMES.length]} ${text()} (${seconds}s)`)
    shown = true
  }
  let timer: ReturnType<typeof setInterval> | undefined
  const delay = setTimeout(() => {
    draw()
    timer = setInterval(draw, 100)
  }, options.delayMs ?? 1000)
  return {
    stop() {
      clearTimeout(delay)
      if (timer) clearInterval(timer)
      if (shown) stream.write('\r\u001b[K')
    },
    clear() {
      if (shown) stream.write('\r\u001b[K')
    },
  }
}
