import { appendFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CliError, EXIT } from '../../topology/index.ts'
import { LEGACY_SUBJECT } from '../http/legacy-subject.ts'
import { findIssued, ledgerPath } from './ledger.ts'
import { SUBJECT, TOKEN_ID } from './list.ts'

/** What was revoked, for the one line `token --revoke` prints. */
export interface Revoked {
  readonly line: string
  readonly said: string
}

/**
 * Append `jti ID` to the revocation file after checking that the id is well formed and was
 * issued (it is in the ledger); otherwise throw and write nothing.
 */
export async function revokeTokenId(revokedTokensFile: string, tokenId: string): Promise<Revoked> {
  if (!TOKEN_ID.test(tokenId)) {
    throw new CliError(
      `Invalid --revoke "${tokenId}": expected the "jti" of a token, 32 hex digits (listed in "${ledgerPath(revokedTokensFile)}")`,
    )
  }
  const issued = await findIssued(ledgerPath(revokedTokensFile), tokenId)
  if (!issued) {
    throw new CliError(
      `Cannot revoke "${tokenId}": no such token in "${ledgerPath(revokedTokensFile)}"; nothing written (use --revoke-subject for tokens issued before token ids)`,
    )
  }
  const line = `jti ${tokenId}`
  await append(
    revokedTokensFile,
    `${line}  # ${issued.subject}, revoked ${new Date().toISOString()}\n`,
  )
  return { line, said: `revoked token ${tokenId} of "${issued.subject}"` }
}

/** Append `subject NAME NOW`: every token of NAME issued until now is refused. */
export async function revokeSubject(
  revokedTokensFile: string,
  subject: string,
  now = new Date(),
): Promise<Revoked> {
  if (!SUBJECT.test(subject)) {
    throw new CliError(
      `Invalid --revoke-subject "${subject}": expected a name without spaces, quotes or "#"`,
    )
  }
  if (subject === LEGACY_SUBJECT) {
    throw new CliError(
      `Cannot revoke "${LEGACY_SUBJECT}": power-server 1.0 tokens carry no id or issue time; only a new jwt_shared_secret revokes them`,
    )
  }
  const seconds = Math.floor(now.getTime() / 1000)
  const line = `subject ${subject} ${seconds}`
  await append(revokedTokensFile, `${line}  # revoked ${now.toISOString()}\n`)
  return { line, said: `revoked every token of "${subject}" issued until ${now.toISOString()}` }
}

async function append(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 })
    await appendFile(path, text, { mode: 0o644 })
  } catch (error) {
    throw new CliError(`Cannot write revoked_tokens_file "${path}": ${(error as Error).message}`, {
      cause: error,
      exitCode: EXIT.failed,
    })
  }
}
