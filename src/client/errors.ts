import { CliError, EXIT } from '../topology/index.ts'

/**
 * The client's failures, each a `CliError` so the entry prints one sentence and exits with
 * the SPEC §8 code. `code` is stable for tests and for the Slurm integration to match on.
 */

/** Bad or missing client configuration (no URL, no token, unreadable or malformed file): exit 2. */
export class ClientConfigError extends CliError {
  static override code = 'ERR_CLIENT_CONFIG'
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, exitCode: EXIT.usage })
  }
}

/** Bad targets or arguments, rejected locally or by the server (400): exit 2. */
export class TargetError extends CliError {
  static override code = 'ERR_TARGETS'
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, exitCode: EXIT.usage })
  }
}

/** The server could not be reached or did not answer in time: exit 3. */
export class UnreachableError extends CliError {
  static override code = 'ERR_UNREACHABLE'
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(message, { ...options, exitCode: EXIT.unreachable })
  }
}

/** The server answered, but not with what the API promises (404, 500, not JSON…): exit 3. */
export class ServerResponseError extends CliError {
  static override code = 'ERR_SERVER_RESPONSE'
  readonly status: number
  constructor(message: string, options: ErrorOptions & { status: number; code?: string }) {
    super(message, { ...options, exitCode: EXIT.unreachable })
    this.status = options.status
  }
}

/**
 * A 400 without a JSON:API error: power-server 1.0's "Unrecognised nodes syntax". It refused
 * before acting, so the request may be sent again in a form it parses: exit 2 otherwise.
 */
export class UnparsedTargetsError extends TargetError {
  static override code = 'ERR_TARGETS'
}

/** A group the server does not have (power-server 1.0 has none at all): exit 1. */
export class NoSuchGroupError extends CliError {
  static override code = 'ERR_NO_SUCH_GROUP'
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, exitCode: EXIT.failed })
  }
}

/**
 * The server refused the token (401, or a 403 without a scope error code, as power-server 1.0
 * sends: `ERR_TOKEN_REJECTED`) or what it may do (403 `ERR_SCOPE`: `ERR_TOKEN_FORBIDDEN`): exit 4.
 */
export class TokenRejectedError extends CliError {
  static override code = 'ERR_TOKEN_REJECTED'
  readonly status: number
  constructor(message: string, options: ErrorOptions & { status: number; scope?: boolean }) {
    const code = options.scope ? 'ERR_TOKEN_FORBIDDEN' : 'ERR_TOKEN_REJECTED'
    super(message, { ...options, code, exitCode: EXIT.rejected })
    this.status = options.status
  }
}

/** The exit code of a command stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2. */
export const EXIT_INTERRUPTED = 130

/** Ctrl-C during an action: says how far the server had got; exit 130. */
export class InterruptedError extends CliError {
  static override code = 'ERR_INTERRUPTED'
  constructor(message: string) {
    super(message, { exitCode: EXIT_INTERRUPTED })
  }
}
