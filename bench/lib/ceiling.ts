/** Start and stop the bare Bun.serve ceiling (bench/lib/ceiling-server.ts) as its own process. */
import { join } from 'node:path'

/** A running ceiling server. */
export interface Ceiling {
  readonly url: string
  readonly pid: number
  stop(): Promise<void>
}

/** Start the ceiling server, answering with `bodyFile`'s bytes when given, else "hello". */
export async function startCeiling(bodyFile?: string): Promise<Ceiling> {
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dir, 'ceiling-server.ts'), ...(bodyFile ? [bodyFile] : [])],
    {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'inherit',
    },
  )
  const reader = child.stdout.getReader()
  let text = ''
  const decoder = new TextDecoder()
  while (!/listening (\d+)/.test(text)) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`The ceiling server exited before listening: ${text}`)
    text += decoder.decode(value, { stream: true })
  }
  reader.releaseLock()
  const port = /listening (\d+)/.exec(text)?.[1]
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      child.kill('SIGKILL')
      await child.exited
    },
  }
}
