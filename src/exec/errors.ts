/** Thrown for a runner built or called wrongly; `code` is stable for callers to match on */
export class RunnerError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'RunnerError'
    this.code = code
  }
}
