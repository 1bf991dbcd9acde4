import { errors } from 'jose'
import type { Principal } from './auth.ts'
import { ApiError } from './http-error.ts'

/** What is known of a refused request. */
export interface Refusal {
  readonly status: number
  /** `METHOD target` as the request log shows it (query values redacted). */
  readonly request: string
  readonly peer: string | undefined
  /** Set when the token was good but its scope was not (403). */
  readonly principal: Principal | undefined
  /** Why: the `ApiError` the app answered with. */
  readonly error: unknown
}

/**
 * The audit line of a refused request, in one fixed form for fail2ban (README, Operate):
 * `audit refused peer=ADDR status=401 reason=CODE subject="NAME"|- request="GET /…"`. The
 * peer comes first, before any text a client chose, so no `sub` or path can forge it.
 */
export function refusedLine(refusal: Refusal): string {
  const { error } = refusal
  const reason = error instanceof ApiError ? error.code : `HTTP_${refusal.status}`
  const subject = refusal.principal?.subject ?? verifiedSubject(error)
  return [
    'audit refused',
    `peer=${refusal.peer ?? '-'}`,
    `status=${refusal.status}`,
    `reason=${reason}`,
    `subject=${subject === undefined ? '-' : JSON.stringify(subject)}`,
    `request=${JSON.stringify(refusal.request)}`,
  ].join(' ')
}

/**
 * The `sub` of a token refused for its claims (expired, not yet valid): jose checks claims
 * only after the signature, so that subject is genuine. Any other refusal names nobody.
 */
function verifiedSubject(error: unknown): string | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof errors.JWTClaimValidationFailed || cause instanceof errors.JWTExpired) {
      const sub = cause.payload.sub
      return typeof sub === 'string' && sub !== '' ? sub : undefined
    }
  }
  return undefined
}
