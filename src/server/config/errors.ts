import { CliError } from '../../topology/index.ts'

/** A server configuration that cannot be used: reported as one sentence, exit code 2. */
export class ServerConfigError extends CliError {
  static override code = 'ERR_CONFIG'
}
