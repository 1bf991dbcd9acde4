import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { errorDocument } from './serialize.ts'

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
}

/**
 * An HTTP failure the client should see: status, a stable code and a message safe to return.
 * It is its own JSON:API error document (`getResponse`), so `app.onError` only hands it on.
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
    this.name = new.target.name
    this.code = code
    this.headers = Object.freeze({ ...options.headers })
  }

  override getResponse(): Response {
    const title = TITLES[this.status] ?? 'Error'
    const document = errorDocument({
      status: this.status,
      title,
      detail: this.message || title,
      code: this.code,
    })
    return Response.json(document, { status: this.status, headers: this.headers })
  }
}

/** Any failure as an ApiError: itself, another HTTPException kept by status, else a 500. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof HTTPException) return new ApiError(error.status, 'ERR_HTTP', error.message)
  return new ApiError(500, 'ERR_INTERNAL', 'Internal server error: see the server log')
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
