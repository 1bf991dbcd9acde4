import { appendFile, chmod, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CliError, EXIT, readLimited } from '../../topology/index.ts'
import { TOKEN_ID } from './list.ts'

/** One token `flight-power token` or `init` issued. */
export interface IssuedToken {
  readonly tokenId: string
  readonly subject: string
  readonly scope: string
  /** Seconds since the epoch. */
  readonly issuedAt: number
  readonly expires: number
}

/** `issued-tokens` beside the revocation file: what `--revoke` checks a JTI against. */
export function ledgerPath(revokedTokensFile: string): string {
  return join(dirname(revokedTokensFile), 'issued-tokens')
}

/** A new random token id (`jti`): 16 bytes as 32 hex digits, safe to pass as an argument. */
export function newTokenId(): string {
  // Web Crypto, not node:crypto, which costs every client start-up ~13 ms to load.
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex')
}

/** Append `token` as `JTI SUBJECT SCOPE IAT EXP` (mode 0600: it says who holds power tokens). */
export async function recordIssued(path: string, token: IssuedToken): Promise<void> {
  const line = `${token.tokenId} ${token.subject} ${token.scope} ${token.issuedAt} ${token.expires}\n`
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 })
    await appendFile(path, line, { mode: 0o600 })
    await chmod(path, 0o600)
  } catch (error) {
    throw new CliError(
      `Cannot record the new token in "${path}": ${(error as Error).message}; no token printed`,
      { cause: error, exitCode: EXIT.failed, code: 'ERR_LEDGER' },
    )
  }
}

/** The issued token with id `tokenId`, or undefined when the ledger has none. */
export async function findIssued(path: string, tokenId: string): Promise<IssuedToken | undefined> {
  let text: string
  try {
    ;({ text } = await readLimited(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CliError(`Cannot read "${path}": ${(error as Error).message}`, { cause: error })
  }
  for (const line of text.split('\n')) {
    const [id, subject, scope, issuedAt, expires] = line.trim().split(/\s+/)
    if (id === tokenId && TOKEN_ID.test(id) && subject && scope) {
      return { tokenId: id, subject, scope, issuedAt: Number(issuedAt), expires: Number(expires) }
    }
  }
  return undefined
}
