import type { CAC, Command } from 'cac'
import { nearest } from '../src/topology/index.ts'
import { TARGET_COMMANDS } from './completion-command.ts'

/** The exit codes of SPEC §8 as the client commands use them. */
const CLIENT_EXITS = [
  '  0    every node succeeded (status: every node is on)',
  '  1    a node failed, timed out or is unknown to the server; or an answer of no',
  '  2    usage or configuration error (bad arguments or targets, no token)',
  '  3    server unreachable, or an unexpected answer',
  '  4    token refused (401/403)',
  '  130  interrupted (Ctrl-C)',
]

/** Exit codes per command; commands not listed exit 0 on success, 1 on failure, 2 on misuse. */
const EXITS: Record<string, readonly string[]> = {
  status: [
    CLIENT_EXITS[0]!,
    '  111  every node answered, at least one is off',
    ...CLIENT_EXITS.slice(1),
  ],
  list: ['  0    listed', ...CLIENT_EXITS.slice(2, 5)],
  check: [
    '  0    the topology is valid (warnings may be printed)',
    '  2    it is not, or cannot be read',
  ],
}
const DEFAULT_EXITS = ['  0    done', '  1    failed', '  2    usage or configuration error']
const COLOUR = [
  '  --color              Colour the output even when it is not a terminal',
  '  --no-color           Never colour the output (as NO_COLOR=1 does)',
].join('\n')

/**
 * Make every command's `--help` start with what the command does and end with its exit codes;
 * `help` and `help COMMAND` print the same as `--help`.
 */
export function installHelp(cli: CAC): { helpFor(name?: string): boolean } {
  let helping: Command | undefined
  cli.help((raw) => {
    // Taken off the command line before cac sees it (see takeColour), so listed here.
    const sections = raw.map((section) =>
      section.title === 'Options' ? { ...section, body: `${section.body}\n${COLOUR}` } : section,
    )
    const command = helping ?? cli.matchedCommand
    if (!command || command.name === '') return sections
    const exits =
      EXITS[command.name] ?? (TARGET_COMMANDS.has(command.name) ? CLIENT_EXITS : DEFAULT_EXITS)
    return [
      { body: `flight-power ${command.name}: ${command.description}` },
      ...sections.slice(1),
      { title: 'Exit codes', body: exits.join('\n') },
    ]
  })
  return {
    /** Print the help of `name` (or of everything); false when there is no such command. */
    helpFor(name?: string): boolean {
      if (name === undefined) {
        cli.outputHelp()
        return true
      }
      const command = findCommand(cli, name)
      if (!command) return false
      helping = command
      command.outputHelp()
      helping = undefined
      return true
    },
  }
}

function findCommand(cli: CAC, name: string): Command | undefined {
  return cli.commands.find((command) => command.name === name || command.aliasNames.includes(name))
}

/** `Unknown command "stat": did you mean "status"? See flight-power --help` */
export function unknownCommand(cli: CAC, name: string): string {
  const names = cli.commands.map((command) => command.name).filter((command) => command !== '')
  const meant = nearest(name, [...names, 'help'])
  return `Unknown command "${name}"${meant ? ` (did you mean "${meant}"?)` : ''}: see flight-power --help`
}
