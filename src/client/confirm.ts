import { createInterface } from 'node:readline/promises'

/** Off and restart on more nodes than this ask first, when someone is there to answer. */
export const CONFIRM_ABOVE = 10

/** Streams the question goes through; the process's own in production, fakes in tests. */
export interface PromptStreams {
  readonly input: NodeJS.ReadableStream
  readonly output: NodeJS.WritableStream
}

/**
 * Ask a yes/no question; only `y` or `yes` (any case) is yes. End of input counts as no, so
 * a closed terminal can never switch a rack off by default.
 */
export async function confirm(question: string, streams: PromptStreams): Promise<boolean> {
  const prompt = createInterface({ input: streams.input, output: streams.output, terminal: false })
  try {
    const closed = new Promise<string>((resolve) => prompt.once('close', () => resolve('')))
    streams.output.write(`${question} [y/N] `)
    const answer = await Promise.race([prompt.question(''), closed])
    return /^\s*y(es)?\s*$/i.test(answer)
  } finally {
    prompt.close()
  }
}

/** Whether `confirm` may be asked: a person at a terminal who sees the question and can answer. */
export function canPrompt(stdinIsTty: boolean, stderrIsTty: boolean): boolean {
  return stdinIsTty && stderrIsTty
}
