import type { ProgressStream } from './progress.ts'

/** The outside world a client command touches, passed in so tests can use fakes. */
export interface ClientIo {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdout: ProgressStream
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean }
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean }
  readonly fetch?: typeof fetch
}

/** The running process's streams and environment. */
export function processIo(): ClientIo {
  return { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }
}
