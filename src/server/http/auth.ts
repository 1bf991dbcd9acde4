import { errors, jwtVerify, SignJWT } from 'jose'
import { FlightPowerError } from '../../topology/index.ts'
import { LEGACY_SUBJECT } from './legacy-subject.ts'
import { SCOPES, type Scope } from './scopes.ts'

export { SCOPES, type Scope }

/** Who a verified token speaks for. */
export interface Principal {
  /** The token's `sub`, for the audit log; power-server 1.0 tokens have none. */
  readonly subject: string
  readonly scope: Scope
  /** The token's `jti`, when it has one (tokens of flight-power 0.2 and later). */
  readonly tokenId?: string
  /** The token's `iat` in seconds, when it has one (power-server 1.0 tokens have none). */
  readonly issuedAt?: number
}

/** Seconds of clock skew tolerated on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30

/** A token that cannot be trusted; `code` is stable, the message safe to return to the client. */
export class TokenError extends FlightPowerError {
  static override code = 'ERR_TOKEN_INVALID'
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, { ...options, code })
  }
}

/**
 * Verify an HS256 token signed with `secret` and return its principal. The algorithm is
 * pinned and `exp` required; a token without `scope` is a power-server 1.0 token and keeps
 * the power it always had.
 */
export async function verifyToken(
  token: string,
  secret: Uint8Array,
  options: { now?: Date } = {},
): Promise<Principal> {
  let payload: Record<string, unknown>
  try {
    ;({ payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: options.now ?? new Date(),
    }))
  } catch (error) {
    throw new TokenError(tokenErrorCode(error), tokenErrorMessage(error), { cause: error })
  }
  const scope = payload.scope
  if (scope !== undefined && !SCOPES.includes(scope as Scope)) {
    throw new TokenError(
      'ERR_TOKEN_SCOPE_UNKNOWN',
      `Invalid token: unknown scope ${JSON.stringify(scope)}`,
    )
  }
  const subject =
    typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : LEGACY_SUBJECT
  return Object.freeze({
    subject,
    scope: (scope as Scope | undefined) ?? 'power',
    ...(typeof payload.jti === 'string' ? { tokenId: payload.jti } : {}),
    ...(typeof payload.iat === 'number' ? { issuedAt: payload.iat } : {}),
  })
}

function tokenErrorCode(error: unknown): string {
  return error instanceof errors.JOSEError ? error.code : 'ERR_TOKEN_INVALID'
}

function tokenErrorMessage(error: unknown): string {
  if (error instanceof errors.JWTExpired)
    return 'Token expired: ask the administrator for a new one (flight-power token)'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return 'Invalid token: it has no expiry ("exp" claim)'
    if (error.claim === 'nbf') return 'Token not yet valid ("nbf" is in the future)'
    return `Invalid token: claim "${error.claim}" ${error.reason}`
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'Invalid token: only HS256 tokens are accepted'
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'Invalid token: signature verification failed'
  return 'Invalid token: not a valid JWT'
}

/** Options of `signToken`. */
export interface SignOptions {
  readonly days: number
  /** Validity in seconds, when shorter than a day matters (`token --expires 8h`); wins over days. */
  readonly seconds?: number
  readonly subject: string
  readonly scope: Scope
  /** The `jti`, so that the token can be revoked alone (see `newTokenId`). */
  readonly tokenId: string
  readonly now?: Date
}

/** Sign a new HS256 token carrying `sub`, `scope`, `jti`, `iat` and `exp`. */
export async function signToken(secret: Uint8Array, options: SignOptions): Promise<string> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000)
  return new SignJWT({ scope: options.scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setJti(options.tokenId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.seconds ?? options.days * 86_400))
    .sign(secret)
}
