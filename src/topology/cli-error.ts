import { EXIT } from './outcome.ts'

/**
 * An error the command line reports as one sentence and an exit code, never a stack trace.
 * Both modes throw it; the entry point catches it.
 */
export class CliError extends Error {
  readonly code: string
  readonly exitCode: number

  constructor(
    message: string,
    options: { code?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'CliError'
    this.code = options.code ?? 'ERR_USAGE'
    this.exitCode = options.exitCode ?? EXIT.usage
  }
}
