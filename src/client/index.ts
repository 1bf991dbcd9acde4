import type { CAC, Command } from 'cac'
import { BOOT_DEVICES, type Action } from '../topology/index.ts'
import { DEFAULT_HTTP_TIMEOUT_SECONDS } from './config.ts'
import { processIo } from './io.ts'
import { WAIT_TARGET } from './wait.ts'

export { SYSTEM_CONFIG_PATH, resolveConfig, userConfigPath, type ClientConfig } from './config.ts'
export {
  ClientConfigError,
  ServerResponseError,
  TargetError,
  TokenRejectedError,
  UnreachableError,
} from './errors.ts'
export { ACTION_ROUTE, createRequest, type Method, type Request } from './http.ts'
export { parseCommandResults, type NodeResult } from './wire.ts'

/**
 * Client commands: `list`, `status`, `on`, `off`, `restart`. The command modules are
 * imported when a command runs, so `serve` and `--help` never load them.
 */
export function registerClientCommands(cli: CAC): void {
  common(
    cli
      .command('list', 'List the nodes (or groups, with --groups) known to the server')
      .option('-g, --groups', 'List groups instead of nodes')
      .option('--verbose', "Add each node's platform, or each group's members")
      .example('flight-power list --groups --verbose'),
  ).action(async (options) => {
    const { runList } = await import('./commands/list.ts')
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- cac types options `any`; their values are parsed where read (cli-values)
    return runList(options, processIo())
  })

  power(cli, 'status', 'status', 'Show the power state of nodes (exit 0: all on, 111: some off)')
    .option('--cached', "Answer from the server's last known state; ask only nodes it never read")
    .option('--max-age <seconds>', 'With --cached: also ask nodes read longer ago than this')
  power(cli, 'on', 'power_on', 'Power nodes on')
  power(cli, 'off', 'power_off', 'Power nodes off')
  power(cli, 'restart', 'restart', 'Restart (reset) nodes')
  power(cli, 'cycle', 'cycle', 'Power nodes off, then on again')
  power(cli, 'shutdown', 'shutdown', 'Ask nodes to shut down gracefully (ACPI)').option(
    '--force-after <seconds>',
    'Power off, hard, the nodes still on this many seconds after the request',
  )
  power(cli, 'identify', 'identify', 'Switch the identify light of nodes on').option(
    '--off',
    'Switch the identify light off instead',
  )
  power(
    cli,
    'bootdev',
    'bootdev',
    `Set the next boot device of nodes: ${BOOT_DEVICES.join(', ')}`,
    'bootdev <device> <...targets>',
  )
    .option('--persistent', 'Keep the device for every boot, not only the next')
    .option('--uefi', 'Boot in UEFI mode rather than legacy BIOS')
}

function power(
  cli: CAC,
  name: string,
  action: Action,
  description: string,
  usage = `${name} <...targets>`,
): Command {
  const command = common(
    cli
      .command(usage, description)
      .usage(`${name} [options] ${action === 'bootdev' ? 'DEVICE ' : ''}NODES_OR_GROUPS...`)
      .option('-g, --groups', 'Read every argument as a group name')
      .option('--summary', 'Print nodes folded into ranges per outcome, e.g. "on: node[01-05]"')
      .option('--stream', "Print each node's line as soon as it finishes, unsorted"),
  )
  const target = WAIT_TARGET[action]
  if (target) {
    command
      .option('--wait', `Poll until every node is ${target}; exit 1 for those that never are`)
      .option('--wait-timeout <seconds>', 'How long --wait polls (default: 300)')
  }
  // Accepted by status too, where it changes nothing, so one wrapper can pass it to all.
  command.option(
    '-y, --yes',
    action === 'status'
      ? 'Accepted for symmetry: status never asks'
      : 'Do not ask for confirmation on more than 10 nodes',
  )
  command.example(`flight-power ${name} ${action === 'bootdev' ? 'pxe ' : ''}'node[01-10]' @gpu`)
  if (action === 'bootdev') {
    return command.action(async (device: unknown, targets: string[], options) => {
      const { runPower } = await import('./commands/power.ts')
      const { bootdevParams } = await import('./action-options.ts')
      // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- cac types options `any`; their values are parsed where read (cli-values)
      return runPower(action, targets, options, processIo(), bootdevParams(device, options))
    })
  }
  return command.action(async (targets: string[], options) => {
    const { runPower } = await import('./commands/power.ts')
    const { actionParams } = await import('./action-options.ts')
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- cac types options `any`; their values are parsed where read (cli-values)
    return runPower(action, targets, options, processIo(), actionParams(action, options))
  })
}

function common(command: Command): Command {
  return command
    .option('--json', 'Print the full result as JSON, for scripts')
    .option('--url <url>', 'Server URL (overrides config and FLIGHT_POWER_URL)')
    .option('--token <token>', 'Token (overrides config and FLIGHT_POWER_TOKEN)')
    .option(
      '--config <file>',
      'Client config used instead of /opt/flight/opt/power-client/etc/config.yaml',
    )
    .option('--ca-file <file>', 'CA certificate to trust for an https server (overrides ca_file)')
    .option(
      '--timeout <seconds>',
      `HTTP request timeout (default: ${DEFAULT_HTTP_TIMEOUT_SECONDS})`,
    )
    .option('--debug', 'Show requests, where settings came from, and the cause of errors')
}
