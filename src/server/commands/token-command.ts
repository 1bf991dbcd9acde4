import type { CAC } from 'cac'
import { userInfo } from 'node:os'
import { CliError, EXIT, cliText } from '../../topology/index.ts'
import { SCOPES, type Scope } from '../http/scopes.ts'
import { loadServerConfig, requireSecret } from '../config/config.ts'
import { mintToken } from './mint.ts'

/** Longest token life `token` will mint: ten years. */
export const MAX_TOKEN_DAYS = 3650
/** Token life when DAYS is not given, as power-server's generate-token did. */
export const DEFAULT_TOKEN_DAYS = 30

interface TokenOptions {
  config?: string
  expires?: unknown
  subject?: unknown
  scope?: unknown
  revoke?: unknown
  revokeSubject?: unknown
}

/** `flight-power token [DAYS]`: print a client token signed with the server's secret, and nothing else. */
export function registerTokenCommand(cli: CAC): void {
  cli
    .command(
      'token [days]',
      `Print a client token signed with the server secret (default ${DEFAULT_TOKEN_DAYS} days)`,
    )
    .option('--expires <time>', 'Validity instead of DAYS: 30m, 8h, 90d (minutes, hours, days)')
    .option(
      '--subject <name>',
      'Who the token is for, recorded in the audit log (default: $SUDO_USER, else your account name)',
    )
    .option('--scope <scope>', 'read (list and status) or power (everything)', { default: 'power' })
    .option(
      '--config <file>',
      'Server config holding jwt_shared_secret (default /opt/flight/etc/power-server.conf)',
    )
    .option(
      '--revoke <jti>',
      'Revoke the token with this id (its "jti"); the server refuses it within 2 s',
    )
    .option('--revoke-subject <name>', 'Revoke every token of this subject issued until now')
    .example('flight-power token 90 --subject slurm --scope power')
    .example('flight-power token --expires 8h --subject alice')
    .example('flight-power token --revoke-subject alice')
    .action(async (days: unknown, options: TokenOptions) => {
      if (options.revoke !== undefined || options.revokeSubject !== undefined)
        return revoke(options)
      if (days !== undefined && options.expires !== undefined)
        throw new CliError('Give DAYS or --expires, not both')
      const seconds = options.expires === undefined ? undefined : parseExpires(options.expires)
      const lifetime = seconds === undefined ? parseDays(days) : seconds / 86_400
      const scope = parseScope(options.scope)
      const subject = parseSubject(options.subject)
      const config = await loadServerConfig({ configFile: options.config })
      const secret = requireSecret(config)
      console.log(
        await mintToken(secret, config.revokedTokensFile, {
          days: lifetime,
          seconds,
          subject,
          scope,
        }),
      )
      return EXIT.ok
    })
}

/** `token --revoke JTI` / `--revoke-subject NAME`: append to revoked_tokens_file. */
async function revoke(options: TokenOptions): Promise<number> {
  if (options.revoke !== undefined && options.revokeSubject !== undefined)
    throw new CliError('Give --revoke or --revoke-subject, not both')
  const config = await loadServerConfig({ configFile: options.config })
  const { revokeSubject, revokeTokenId } = await import('../revocation/index.ts')
  const done =
    options.revoke !== undefined
      ? await revokeTokenId(
          config.revokedTokensFile,
          (cliText(options.revoke, '--revoke') ?? '').trim(),
        )
      : await revokeSubject(
          config.revokedTokensFile,
          (cliText(options.revokeSubject, '--revoke-subject') ?? '').trim(),
        )
  console.log(`${done.said} (${config.revokedTokensFile})`)
  return EXIT.ok
}

/** DAYS as a whole number from 1 to 3650; anything else is a usage error. */
export function parseDays(value: unknown): number {
  if (value === undefined) return DEFAULT_TOKEN_DAYS
  const text = (cliText(value, 'DAYS') ?? '').trim()
  const days = /^\d+$/.test(text) ? Number(text) : NaN
  if (!(days >= 1 && days <= MAX_TOKEN_DAYS)) {
    throw new CliError(
      `Invalid DAYS "${text}": expected a whole number of days from 1 to ${MAX_TOKEN_DAYS}`,
    )
  }
  return days
}

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400 }

/** `--expires`: a whole number with m, h or d, from one minute to MAX_TOKEN_DAYS; in seconds. */
export function parseExpires(value: unknown): number {
  const text = String(value).trim()
  const match = /^(\d+)([mhd])$/.exec(text)
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : NaN
  if (!(seconds >= 60 && seconds <= MAX_TOKEN_DAYS * 86_400)) {
    throw new CliError(
      `Invalid --expires "${text}": expected a whole number of minutes, hours or days such as 30m, 8h or 90d, at most ${MAX_TOKEN_DAYS}d`,
    )
  }
  return seconds
}

function parseScope(value: unknown): Scope {
  if (typeof value === 'string' && (SCOPES as readonly string[]).includes(value))
    return value as Scope
  throw new CliError(`Invalid --scope "${String(value)}": expected ${SCOPES.join(' or ')}`)
}

function parseSubject(value: unknown): string {
  if (value === undefined) return defaultSubject()
  const subject = (cliText(value, '--subject') ?? '').trim()
  if (subject === '' || /[\s"]/.test(subject) || subject.length > 200) {
    throw new CliError(`Invalid --subject "${subject}": expected a name without spaces or quotes`)
  }
  return subject
}

/**
 * Who runs this: the user behind sudo, else the account of the real user id, which a missing
 * or changed USER cannot hide; the environment only when the account has no name.
 */
function defaultSubject(): string {
  if (process.env.SUDO_USER) return process.env.SUDO_USER
  try {
    const name = userInfo().username
    if (name) return name
  } catch {
    // No passwd entry for this uid (a bare container): fall back to the environment.
  }
  return process.env.USER || process.env.LOGNAME || 'admin'
}
