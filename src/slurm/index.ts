import type { CAC } from 'cac'
import { CliError } from '../topology/index.ts'
import type { SlurmOptions } from './options.ts'
import {
  DEFAULT_LOG_FILE,
  DEFAULT_SLURM_TIMEOUT_SECONDS,
  SLURM_ACTIONS,
  type SlurmAction,
} from './types.ts'

export { SLURM_ACTIONS, type SlurmAction } from './types.ts'

/**
 * `flight-power slurm resume|suspend|resume-fail HOSTLIST` (what slurmctld runs) and
 * `flight-power slurm programs DIR` (writes the programs slurm.conf names). Modules load
 * when the command runs, so other commands never pay for them.
 */
export function registerSlurmCommands(cli: CAC): void {
  cli
    .command(
      'slurm <command> [argument]',
      'Slurm power saving: resume|suspend|resume-fail HOSTLIST, or programs DIR',
    )
    .usage(
      'slurm resume|suspend|resume-fail HOSTLIST | slurm programs DIR [--config FILE] [--force]',
    )
    .option(
      '--config <file>',
      'Client config with base_url and jwt_token (default /opt/flight/opt/power-client/etc/config.yaml)',
    )
    .option(
      '--log <file>',
      `Log file of the calls (default ${DEFAULT_LOG_FILE}); syslog gets them too`,
    )
    .option(
      '--timeout <seconds>',
      `Most time one call may take (default ${DEFAULT_SLURM_TIMEOUT_SECONDS})`,
    )
    .option('--force', 'programs: replace programs that differ from what would be written')
    .example(
      'flight-power slurm programs /opt/flight/libexec/slurm --config /opt/flight/etc/power-slurm.yaml',
    )
    .example("flight-power slurm resume 'gpu[1-2],node[02,04]'")
    .action(async (command: string, argument: string | undefined, options: SlurmOptions) => {
      if (command === 'programs') {
        const { runPrograms } = await import('./programs-command.ts')
        return runPrograms(argument, options)
      }
      if (isSlurmAction(command)) {
        const { runCallCommand } = await import('./call-command.ts')
        return runCallCommand(command, argument ?? '', options)
      }
      throw new CliError(
        `Unknown slurm command "${command}": expected resume, suspend, resume-fail or programs`,
      )
    })
}

function isSlurmAction(command: string): command is SlurmAction {
  return (SLURM_ACTIONS as readonly string[]).includes(command)
}
