import type { Scope } from '../http/scopes.ts'
import { ledgerPath, newTokenId, recordIssued } from '../revocation/index.ts'

/** What a new token is for. */
export interface MintOptions {
  readonly days: number
  /** Validity in seconds instead of whole days (`--expires 30m`). */
  readonly seconds?: number
  readonly subject: string
  readonly scope: Scope
}

/**
 * Sign a new token with a fresh `jti`, recorded first in the ledger beside `revokedTokensFile`
 * so that `token --revoke JTI` can tell a real id from a typo. jose is loaded on use, so that
 * client commands never pay for it.
 */
export async function mintToken(
  secret: Uint8Array,
  revokedTokensFile: string,
  options: MintOptions,
): Promise<string> {
  const { signToken } = await import('../http/auth.ts')
  const now = new Date()
  const issuedAt = Math.floor(now.getTime() / 1000)
  const tokenId = newTokenId()
  await recordIssued(ledgerPath(revokedTokensFile), {
    tokenId,
    subject: options.subject,
    scope: options.scope,
    issuedAt,
    expires: issuedAt + (options.seconds ?? options.days * 86_400),
  })
  return signToken(secret, { ...options, tokenId, now })
}
