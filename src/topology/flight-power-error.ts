/**
 * The one family of flight-power errors, as jose has `JOSEError`: each class has a stable
 * `code` (its static `code`, unless a constructor names a more precise one), its `name` is
 * the class's own, and `cause` is kept. Callers match on `code`, never on message text.
 * Programmer errors (a factory given bad options) are `TypeError` or `RangeError` instead.
 */
export class FlightPowerError extends Error {
  /** The code of every error of this class that names none of its own. */
  static code = 'ERR_FLIGHT_POWER'
  readonly code: string

  constructor(message: string, options?: ErrorOptions & { readonly code?: string }) {
    super(message, options)
    this.name = new.target.name
    this.code = options?.code ?? new.target.code
  }
}

/** Any thrown value as one line for a log or a message: an Error's message, else its text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
