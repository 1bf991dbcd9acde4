import type { CAC } from 'cac'
import { CliError, EXIT } from '../src/topology/index.ts'

/** Commands whose arguments are node names and `@group`s (help lists their exit codes too). */
export const TARGET_COMMANDS = new Set([
  'status',
  'on',
  'off',
  'restart',
  'cycle',
  'shutdown',
  'identify',
  'bootdev',
])

/** `flight-power completion bash|zsh`: print the shell completion script. */
export function registerCompletionCommand(cli: CAC): void {
  cli
    .command('completion <shell>', 'Print the shell completion script for bash or zsh')
    .example('flight-power completion bash | sudo tee /etc/bash_completion.d/flight-power')
    .example('flight-power completion zsh > "${fpath[1]}/_flight-power"')
    .action(async (shell: unknown) => {
      const { bashCompletion, zshCompletion } = await import('../src/client/completion/script.ts')
      const commands = cli.commands
        .filter((command) => command.name !== '')
        .map((command) => ({
          name: command.name,
          options: [...command.options, ...cli.globalCommand.options]
            .flatMap((option) =>
              option.rawName.split(/[ ,]+/).filter((word) => word.startsWith('-')),
            )
            .concat('--color', '--no-color'),
          targets: TARGET_COMMANDS.has(command.name),
        }))
      if (shell === 'bash') process.stdout.write(bashCompletion(commands))
      else if (shell === 'zsh') process.stdout.write(zshCompletion(commands))
      else throw new CliError(`Invalid shell "${String(shell)}": expected bash or zsh`)
      return EXIT.ok
    })
}

/** `flight-power __complete nodes|groups`: names for the completion script, never an error. */
export async function completeNames(kind: string | undefined): Promise<number> {
  if (kind !== 'nodes' && kind !== 'groups') return EXIT.usage
  const { completionNames } = await import('../src/client/completion/names.ts')
  const names = await completionNames(kind, process.env)
  if (names.length > 0) process.stdout.write(`${names.join('\n')}\n`)
  return EXIT.ok
}
