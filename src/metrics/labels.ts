import type { NodeResult } from '../engine/index.ts'

/** The `result` label of `flight_power_actions_total`: a handful of values, never a message. */
export function resultLabel(result: NodeResult): string {
  if (result.missing) return 'missing'
  if (result.cached) return 'cached'
  if (result.success) return 'success'
  if (result.cancelled === true) return 'cancelled'
  return 'failed'
}

/** Stable error codes of refused tokens, by the `reason` label they count under. */
const REASONS: Readonly<Record<string, string>> = {
  ERR_TOKEN_MISSING: 'missing',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad_signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'bad_algorithm',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'bad_claim',
  ERR_TOKEN_SCOPE_UNKNOWN: 'unknown_scope',
  ERR_TOKEN_REVOKED: 'revoked',
  ERR_SCOPE: 'insufficient_scope',
}

/**
 * The `reason` label of `flight_power_auth_failures_total` for an error code; codes not known
 * here count as `invalid`, so a client cannot mint label values.
 */
export function authReason(code: string | undefined): string {
  return (code !== undefined && Object.hasOwn(REASONS, code) && REASONS[code]) || 'invalid'
}
