#!/usr/bin/env bun
/**
 * The one entry of the `flight-power` binary: server (`serve`, `token`, `init`), client
 * (`list`, `status`, `on`, `off`, `restart`) and `check`, which either side may use.
 */
import { cac } from 'cac'
import { registerClientCommands } from '../src/client/index.ts'
import { registerRedfishCommands } from '../src/redfish/index.ts'
import { registerSlurmCommands } from '../src/slurm/index.ts'
import { registerServerCommands } from '../src/server/index.ts'
import { CliError, errorMessage, EXIT } from '../src/topology/index.ts'
import { registerCheckCommand } from './check-command.ts'
import { VERSION } from './version.ts'

async function main(argv: string[]): Promise<number> {
  const cli = cac('flight-power')
  registerServerCommands(cli)
  registerClientCommands(cli)
  registerSlurmCommands(cli)
  registerRedfishCommands(cli)
  registerCheckCommand(cli)
  cli.help()
  // Our own --version: cac's would add the platform and Node's version, which Bun fakes.
  cli.option('-v, --version', 'Display the version')

  // cac's advice for async actions: parse without running, then await the action here.
  const parsed = cli.parse(argv, { run: false })
  if (parsed.options.help) return EXIT.ok
  if (parsed.options.version && !cli.matchedCommand) {
    console.log(`flight-power ${VERSION}`)
    return EXIT.ok
  }
  if (!cli.matchedCommand) {
    const unknown = Object.keys(parsed.options).filter((key) => key !== '--')
    if (unknown.length > 0) {
      const flag = unknown[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
      throw new CliError(`Unknown option "--${flag}": see flight-power --help`)
    }
    if (parsed.args.length === 0) {
      cli.outputHelp()
      return EXIT.ok
    }
    throw new CliError(`Unknown command "${parsed.args[0]}": see flight-power --help`)
  }
  const code: unknown = await cli.runMatchedCommand()
  return typeof code === 'number' ? code : EXIT.ok
}

/** Turn any failure into one line on stderr and an exit code; stacks only with --debug. */
function report(error: unknown, argv: string[]): number {
  if (error instanceof CliError) {
    console.error(`flight-power: ${error.message}`)
    if (argv.includes('--debug') && error.cause) console.error(error.cause)
    return error.exitCode
  }
  if (error instanceof Error && error.name === 'CACError') {
    console.error(`flight-power: ${error.message}: see flight-power --help`)
    return EXIT.usage
  }
  console.error(`flight-power: unexpected error: ${errorMessage(error)}`)
  if (argv.includes('--debug')) console.error(error)
  else console.error('flight-power: run again with --debug for details, and please report it')
  return EXIT.failed
}

try {
  process.exitCode = await main(process.argv)
} catch (error) {
  process.exitCode = report(error, process.argv)
}
