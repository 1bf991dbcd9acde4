import { CliError, EXIT } from '../topology/index.ts'

/**
 * The client's failures, each a `CliError` so the entry prints one sentence and exits with
 * the SPEC §8 code. `code` is stable for tests and for the Slurm integration to match on.
 */

/** Bad or missing client configuration (no URL, no token, unreadable or malformed file): exit 2. */
export class ConfigError extends CliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'ERR_CLIENT_CONFIG', exitCode: EXIT.usage, cause: options.cause })
    this.name = 'ConfigError'
  }
}

/** Bad targets, rejected locally or by the server (400): exit 2. */
export class TargetError extends CliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'ERR_TARGETS', exitCode: EXIT.usage, cause: options.cause })
    this.name = 'TargetError'
  }
}

/** The server could not be reached or did not answer in time: exit 3. */
export class UnreachableError extends CliError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, {
      code: options.code ?? 'ERR_UNREACHABLE',
      exitCode: EXIT.unreachable,
      cause: options.cause,
    })
    this.name = 'UnreachableError'
  }
}

/** The server answered, but not with what the API promises (404, 500, not JSON…): exit 3. */
export class ServerResponseError extends CliError {
  readonly status: number
  constructor(message: string, options: { status: number; code?: string; cause?: unknown }) {
    super(message, {
      code: options.code ?? 'ERR_SERVER_RESPONSE',
      exitCode: EXIT.unreachable,
      cause: options.cause,
    })
    this.name = 'ServerResponseError'
    this.status = options.status
  }
}

/**
 * A 400 without a JSON:API error: power-server 1.0's "Unrecognised nodes syntax". It refused
 * before acting, so the request may be sent again in a form it parses: exit 2 otherwise.
 */
export class UnparsedTargetsError extends TargetError {
  constructor(message: string) {
    super(message)
    this.name = 'UnparsedTargetsError'
  }
}

/** A group the server does not have (power-server 1.0 has none at all): exit 1. */
export class NoSuchGroupError extends CliError {
  constructor(message: string) {
    super(message, { code: 'ERR_NO_SUCH_GROUP', exitCode: EXIT.failed })
    this.name = 'NoSuchGroupError'
  }
}

/** The server refused the token (401, or 403 without a scope error code) or its scope (403): exit 4. */
export class TokenRejectedError extends CliError {
  readonly status: number
  constructor(message: string, options: { status: number; cause?: unknown; scope?: boolean }) {
    const code = options.scope ? 'ERR_TOKEN_SCOPE' : 'ERR_TOKEN_REJECTED'
    super(message, { code, exitCode: EXIT.rejected, cause: options.cause })
    this.name = 'TokenRejectedError'
    this.status = options.status
  }
}

/** The exit code of a command stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2. */
export const EXIT_INTERRUPTED = 130

/** Ctrl-C during an action: says how far the server had got; exit 130. */
export class InterruptedError extends CliError {
  constructor(message: string) {
    super(message, { code: 'ERR_INTERRUPTED', exitCode: EXIT_INTERRUPTED })
    this.name = 'InterruptedError'
  }
}
