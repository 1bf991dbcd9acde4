import { FlightPowerError } from './flight-power-error.ts'
import { EXIT } from './outcome.ts'

/**
 * An error the command line reports as one sentence and an exit code, never a stack trace.
 * Both modes throw it; the entry point catches it.
 */
export class CliError extends FlightPowerError {
  static override code = 'ERR_USAGE'
  readonly exitCode: number

  constructor(message: string, options: ErrorOptions & { code?: string; exitCode?: number } = {}) {
    super(message, options)
    this.exitCode = options.exitCode ?? EXIT.usage
  }
}
