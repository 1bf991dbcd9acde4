import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * An HTTP failure the client should see: status, a stable code and a message safe to return.
 * `app.onError` turns it into a JSON:API error document.
 */
export class ApiError extends HTTPException {
  readonly code: string
  readonly headers: Readonly<Record<string, string>>

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(status, { message, cause: options.cause })
    this.name = 'ApiError'
    this.code = code
    this.headers = Object.freeze({ ...options.headers })
  }
}

/** 400: the request names its targets wrongly. */
export function badRequest(
  code: string,
  message: string,
  options: { cause?: unknown } = {},
): ApiError {
  return new ApiError(400, code, message, options)
}

/** 401: no usable token; says how to authenticate, as RFC 6750 asks. */
export function unauthorized(
  code: string,
  message: string,
  options: { cause?: unknown } = {},
): ApiError {
  const error = code === 'ERR_TOKEN_MISSING' ? '' : ', error="invalid_token"'
  return new ApiError(401, code, message, {
    cause: options.cause,
    headers: { 'WWW-Authenticate': `Bearer realm="flight-power"${error}` },
  })
}

/** 403: a valid token without the scope the route needs. */
export function forbidden(message: string): ApiError {
  return new ApiError(403, 'ERR_SCOPE', message, {
    headers: {
      'WWW-Authenticate': 'Bearer realm="flight-power", error="insufficient_scope", scope="power"',
    },
  })
}
