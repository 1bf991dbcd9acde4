import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { CliError, EXIT, cliPath, cliSeconds } from '../topology/index.ts'
import { SYSTEM_CONFIG_PATH } from '../client/index.ts'
import type { SlurmOptions } from './options.ts'
import { writePrograms } from './programs.ts'
import { DEFAULT_LOG_FILE, DEFAULT_SLURM_TIMEOUT_SECONDS, SLURM_ACTIONS } from './types.ts'
import { SETTING, selfCommand } from './wrapper.ts'

/**
 * `flight-power slurm programs DIR`: write the programs slurm.conf names and print the lines
 * to add. Paths are made absolute here, once, because Slurm runs the programs from its own
 * working directory.
 */
export async function runPrograms(dir: string | undefined, options: SlurmOptions): Promise<number> {
  if (!dir)
    throw new CliError(
      'No directory given: flight-power slurm programs DIR (e.g. /opt/flight/libexec/slurm)',
    )
  const config = resolve(cliPath(options.config, '--config') ?? SYSTEM_CONFIG_PATH)
  const log = cliPath(options.log, '--log')
  const timeout =
    options.timeout === undefined
      ? undefined
      : cliSeconds(options.timeout, '--timeout', DEFAULT_SLURM_TIMEOUT_SECONDS)
  const files = await writePrograms(resolve(dir), {
    command: selfCommand(),
    config,
    log: log === undefined ? undefined : resolve(log),
    timeoutSeconds: timeout,
    force: options.force,
  })

  for (const file of files) console.log(`${file.outcome} ${file.path}`)
  if (!existsSync(config)) {
    console.error(
      `flight-power: warning: "${config}" does not exist yet: the programs need it (base_url and jwt_token, a power token)`,
    )
  }
  const path = (action: (typeof SLURM_ACTIONS)[number]) =>
    files.find((file) => file.action === action)!.path
  console.log(
    [
      '',
      'Add to slurm.conf, then run "scontrol reconfigure":',
      '',
      ...SLURM_ACTIONS.map((action) => `${SETTING[action]}=${path(action)}`),
      '',
      `SlurmUser must be able to read "${config}" and write "${log === undefined ? DEFAULT_LOG_FILE : resolve(log)}".`,
    ].join('\n'),
  )
  return EXIT.ok
}
