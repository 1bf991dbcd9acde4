import { CliError } from '../../topology/index.ts'

/** A server configuration that cannot be used: reported as one sentence, exit code 2. */
export class ConfigError extends CliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'ERR_CONFIG', cause: options.cause })
    this.name = 'ConfigError'
  }
}
