import type { CAC } from 'cac'
import { cliPath, cliText, CliError, EXIT } from '../topology/index.ts'

/** Flags of `redfish probe`. */
interface ProbeFlags {
  readonly user?: unknown
  readonly passwordEnv?: unknown
  readonly insecure?: boolean
  readonly caFile?: unknown
  readonly timeout?: unknown
  readonly json?: boolean
}

/**
 * `flight-power redfish probe BMC`: what a Redfish BMC supports. The password comes from an
 * environment variable (default REDFISH_PASSWORD), never from the command line.
 */
export function registerRedfishCommands(cli: CAC): void {
  cli
    .command('redfish <command> <bmc>', 'Redfish: probe BMC shows what a BMC supports')
    .usage('redfish probe BMC [--user U] [--password-env VAR] [--ca-file F | --insecure]')
    .option('--user <name>', 'Redfish account (default $REDFISH_USERNAME)')
    .option('--password-env <var>', 'Environment variable holding the password', {
      default: 'REDFISH_PASSWORD',
    })
    .option('--ca-file <file>', 'CA certificate (PEM) that signed the BMC certificate')
    .option('--insecure', 'Skip certificate checks')
    .option('--timeout <seconds>', 'Most time the whole probe may take (default 30)')
    .option('--json', 'Print the report as JSON')
    .example(
      'REDFISH_PASSWORD=… flight-power redfish probe node01-bmc --user admin --ca-file ca.pem',
    )
    .action(async (command: string, host: string, flags: ProbeFlags) => {
      if (command !== 'probe')
        throw new CliError(`Unknown redfish command "${command}": expected probe`)
      const { probe, formatProbe } = await import('./probe.ts')
      const { RedfishError } = await import('./errors.ts')
      const user = cliText(flags.user, '--user') ?? process.env.REDFISH_USERNAME
      if (!user)
        throw new CliError('Missing --user: give the Redfish account (or set REDFISH_USERNAME)')
      const variable = String(flags.passwordEnv)
      const password = process.env[variable]
      if (!password)
        throw new CliError(
          `Missing password: set the environment variable "${variable}" (see --password-env)`,
        )
      const seconds = flags.timeout === undefined ? 30 : Number(flags.timeout)
      if (!(seconds > 0 && seconds <= 3600))
        throw new CliError(
          `Invalid --timeout "${String(flags.timeout)}": expected seconds from 1 to 3600`,
        )
      try {
        const report = await probe({
          host: String(host),
          username: user,
          password,
          insecure: flags.insecure === true,
          timeoutMs: seconds * 1000,
          ...(flags.caFile !== undefined ? { caFile: cliPath(flags.caFile, '--ca-file') } : {}),
        })
        process.stdout.write(
          flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatProbe(report),
        )
        return EXIT.ok
      } catch (error) {
        if (!(error instanceof RedfishError)) throw error
        // The flag names of this command, not the topology's variable names.
        const message = error.message.replace(
          'set redfish_ca_file to the CA that signed it, or redfish_insecure: true',
          'give --ca-file with the CA that signed it, or --insecure',
        )
        throw new CliError(`Cannot probe BMC "${host}": ${message}`, {
          code: error.code,
          exitCode:
            error.code === 'ERR_REDFISH_SETTINGS'
              ? EXIT.usage
              : error.code === 'ERR_REDFISH_HTTP'
                ? EXIT.failed
                : EXIT.unreachable,
          cause: error,
        })
      }
    })
}
