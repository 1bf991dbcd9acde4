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
    .option(
      '--subject <name>',
      'Who the token is for, recorded in the audit log (default: $SUDO_USER, else your user name)',
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
    .example('flight-power token --revoke-subject alice')
    .action(async (days: unknown, options: TokenOptions) => {
      if (options.revoke !== undefined || options.revokeSubject !== undefined)
        return revoke(options)
      const lifetime = parseDays(days)
      const scope = parseScope(options.scope)
      const subject = parseSubject(options.subject)
      const config = await loadServerConfig({ configFile: options.config })
      const secret = requireSecret(config)
      console.log(
        await mintToken(secret, config.revokedTokensFile, { days: lifetime, subject, scope }),
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

function defaultSubject(): string {
  const fromEnv = process.env.SUDO_USER || process.env.USER || process.env.LOGNAME
  if (fromEnv) return fromEnv
  try {
    return userInfo().username || 'admin'
  } catch {
    return 'admin'
  }
}
