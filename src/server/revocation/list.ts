import { fileErrorWords, readLimited } from '../../topology/index.ts'
import { ServerConfigError } from '../config/errors.ts'

/** A token id as `flight-power token` makes them: 16 random bytes in hex (never a leading "-"). */
export const TOKEN_ID = /^[0-9a-f]{32}$/
/** Subject names `flight-power token --subject` accepts. */
export const SUBJECT = /^[^\s"#]{1,200}$/

/** What a verified token says about itself, as far as revocation cares. */
export interface TokenIdentity {
  readonly subject: string
  /** `jti`; power-server 1.0 tokens and tokens of flight-power before 0.2 have none. */
  readonly tokenId?: string
  /** `iat` in seconds since the epoch, when the token has one. */
  readonly issuedAt?: number
}

/** The parsed revocation file. */
export interface RevocationList {
  readonly tokenIds: ReadonlySet<string>
  /** Subject → the latest `iat` revoked: tokens of it issued at or before are refused. */
  readonly subjects: ReadonlyMap<string, number>
}

/** The list of a file that does not exist yet. */
export const EMPTY_LIST: RevocationList = Object.freeze({
  tokenIds: new Set<string>(),
  subjects: new Map<string, number>(),
})

/** Whether `token` is on `list`: by its id, or by its subject and issue time. */
export function isRevoked(list: RevocationList, token: TokenIdentity): boolean {
  if (token.tokenId !== undefined && list.tokenIds.has(token.tokenId)) return true
  const until = list.subjects.get(token.subject)
  return until !== undefined && token.issuedAt !== undefined && token.issuedAt <= until
}

/**
 * Parse the revocation file: one entry a line, `#` comments, blank lines ignored:
 * `jti ID` revokes one token; `subject NAME SECONDS` every token of NAME issued at or before
 * SECONDS (Unix time). Throws ServerConfigError naming the first bad line.
 */
export function parseRevocations(text: string, path: string): RevocationList {
  const tokenIds = new Set<string>()
  const subjects = new Map<string, number>()
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const words = lines[index]!.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean)
    if (words.length === 0) continue
    const [kind, value, seconds] = words
    if (kind === 'jti' && words.length === 2 && TOKEN_ID.test(value!)) {
      tokenIds.add(value!)
    } else if (
      kind === 'subject' &&
      words.length === 3 &&
      SUBJECT.test(value!) &&
      /^\d{1,12}$/.test(seconds!)
    ) {
      subjects.set(value!, Math.max(Number(seconds), subjects.get(value!) ?? 0))
    } else {
      throw new ServerConfigError(
        `Cannot load revoked_tokens_file "${path}": line ${index + 1}: expected "jti ID" (32 hex digits) or "subject NAME SECONDS"`,
      )
    }
  }
  return Object.freeze({ tokenIds, subjects })
}

/** Read and parse the file at `path`; a file that does not exist is an empty list. */
export async function loadRevocations(path: string): Promise<RevocationList> {
  let text: string
  try {
    ;({ text } = await readLimited(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_LIST
    const reason = fileErrorWords(error)
    throw new ServerConfigError(`Cannot read revoked_tokens_file "${path}": ${reason}`, {
      cause: error,
    })
  }
  return parseRevocations(text, path)
}
