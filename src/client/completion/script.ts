/** A command as completion sees it: its name, its options, and whether it takes node names. */
export interface CompletedCommand {
  readonly name: string
  readonly options: readonly string[]
  readonly targets: boolean
}

/** Only safe characters reach the script's words: names and flags come from our own CLI. */
function words(list: readonly string[]): string {
  return list.filter((word) => /^[\w@.:=-]+$/.test(word)).join(' ')
}

/**
 * The bash completion script: commands, each command's options, `@group` names and node
 * names (from `flight-power __complete`, which answers from a short cache or gives up after
 * a moment). zsh runs the same script through bashcompinit.
 */
export function bashCompletion(commands: readonly CompletedCommand[]): string {
  const cases = commands
    .map(
      (command) =>
        `    ${command.name}) opts="${words(command.options)}"; targets=${command.targets ? 1 : 0} ;;`,
    )
    .join('\n')
  return `# flight-power completion for bash (and zsh through bashcompinit)
_flight_power() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts= targets=0 prog=\${COMP_WORDS[0]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${words(commands.map((command) => command.name))} help" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    help) COMPREPLY=($(compgen -W "${words(commands.map((command) => command.name))}" -- "$cur")); return ;;
  esac
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
    @*) [ "$targets" = 1 ] && COMPREPLY=($(compgen -P @ -W "$("$prog" __complete groups 2>/dev/null)" -- "\${cur#@}")) ;;
    *)
      if [ "$targets" = 1 ]; then
        case "\${COMP_WORDS[COMP_CWORD-1]}" in
          -g|--groups) COMPREPLY=($(compgen -W "$("$prog" __complete groups 2>/dev/null)" -- "$cur")) ;;
          *) COMPREPLY=($(compgen -W "$("$prog" __complete nodes 2>/dev/null)" -- "$cur")) ;;
        esac
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi
      ;;
  esac
}
complete -F _flight_power flight-power
`
}

/** The zsh script: bash's, loaded through zsh's bashcompinit. */
export function zshCompletion(commands: readonly CompletedCommand[]): string {
  return `# flight-power completion for zsh
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(commands).split('\n').slice(1).join('\n')}`
}
