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
import { completeNames, registerCompletionCommand } from './completion-command.ts'
import { installHelp, unknownCommand } from './help.ts'
import { VERSION } from './version.ts'

async function main(argv: string[]): Promise<number> {
  // The completion script's helper: not a command anyone types, so not in the help.
  if (argv[2] === '__complete') return completeNames(argv[3])
  const cli = cac('flight-power')
  registerServerCommands(cli)
  registerClientCommands(cli)
  registerSlurmCommands(cli)
  registerRedfishCommands(cli)
  registerCheckCommand(cli)
  registerCompletionCommand(cli)
  const help = installHelp(cli)
  // Our own --version: cac's would add the platform and Node's version, which Bun fakes.
  cli.option('-v, --version', 'Display the version')
  argv = takeColour(argv)

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
    const [first, second] = parsed.args.map(String)
    if (first === 'help') {
      if (help.helpFor(second)) return EXIT.ok
      throw new CliError(unknownCommand(cli, second!))
    }
    throw new CliError(unknownCommand(cli, first!))
  }
  const code: unknown = await cli.runMatchedCommand()
  return typeof code === 'number' ? code : EXIT.ok
}

/**
 * `--color` and `--no-color` anywhere on the line, taken out before cac parses it (so every
 * command accepts them) and passed on as FORCE_COLOR / NO_COLOR, which the output reads.
 */
function takeColour(argv: string[]): string[] {
  const end = argv.indexOf('--')
  const flags = end === -1 ? argv : argv.slice(0, end)
  const last = flags.findLast((arg) => arg === '--color' || arg === '--no-color')
  if (last === '--color') {
    delete process.env.NO_COLOR
    process.env.FORCE_COLOR = '1'
  } else if (last === '--no-color') {
    delete process.env.FORCE_COLOR
    process.env.NO_COLOR = '1'
  }
  return argv.filter(
    (arg, index) => (end !== -1 && index >= end) || (arg !== '--color' && arg !== '--no-color'),
  )
}

/** Where an error happened, without its message again: the stack's frames alone. */
function frames(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : ''
  const lines = stack.split('\n').filter((line) => /^\s+at /.test(line))
  return lines.length > 0 ? lines.join('\n') : String(error)
}

/** Turn any failure into one line on stderr and an exit code; stacks only with --debug. */
function report(error: unknown, argv: string[]): number {
  if (error instanceof CliError) {
    console.error(`flight-power: ${error.message}`)
    // The message already says what the cause was; --debug adds only where it happened.
    if (argv.includes('--debug') && error.cause) console.error(frames(error.cause))
    return error.exitCode
  }
  if (error instanceof Error && error.name === 'CACError') {
    console.error(`flight-power: ${error.message}: see flight-power --help`)
    return EXIT.usage
  }
  console.error(`flight-power: unexpected error: ${errorMessage(error)}`)
  if (argv.includes('--debug')) console.error(frames(error))
  else console.error('flight-power: run again with --debug for details, and please report it')
  return EXIT.failed
}

try {
  process.exitCode = await main(process.argv)
} catch (error) {
  process.exitCode = report(error, process.argv)
}
