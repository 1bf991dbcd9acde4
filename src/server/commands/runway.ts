import { join } from 'node:path'
import pkg from '../../../package.json' with { type: 'json' }

/** One Flight Runway command file: its name (the file name too) and its text. */
export interface RunwayCommand {
  readonly name: string
  readonly text: string
}

/** Where Flight Runway looks for commands, under the OpenFlight root. */
export function runwayCommandsDir(root: string): string {
  return join(root, 'opt/flight/libexec/commands')
}

/** A word quoted for bash: single quotes, an embedded quote closed and escaped. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`
}

/** The header block runway reads; each line is also a harmless shell command (`:`), so plain words only. */
function header(name: string, synopsis: string): string {
  if (/[^\w\s,.-]/.test(synopsis))
    throw new TypeError(`runway synopsis must be plain words: ${synopsis}`)
  return `#!/bin/bash
# Flight Runway command, written by "flight-power init": runs flight-power, which replaced
# OpenFlight Power. Runway lists commands by this header block.
: NAME: ${name}
: SYNOPSIS: ${synopsis}
: VERSION: ${pkg.version}
`
}

/**
 * The runway commands OpenFlight sites type: \`flight power status node01\` (power-client's
 * \`power\`), and on the server \`flight power-server-generate-token [DAYS]\`, which prints only a
 * token valid DAYS days (default 30), refusing anything but a whole number as power-server did.
 */
export function runwayCommands(options: {
  /** The flight-power binary to run. */
  readonly execPath: string
  /** The client config under a prefix; absent for a real install, where it is the default. */
  readonly clientConfig?: string
  /** The server config; absent on client-only nodes (`init --runway`). */
  readonly serverConfig?: string
}): RunwayCommand[] {
  const binary = shellQuote(options.execPath)
  const client = options.clientConfig
    ? `export FLIGHT_POWER_CONFIG="\${FLIGHT_POWER_CONFIG:-${options.clientConfig.replace(/["$`\\]/g, '\\$&')}}"\n`
    : ''
  const commands: RunwayCommand[] = [
    {
      name: 'power',
      text: `${header('power', 'Show and change the power state of nodes')}${client}exec ${binary} "$@"\n`,
    },
  ]
  if (options.serverConfig) {
    commands.push({
      name: 'power-server-generate-token',
      text: `${header('power-server-generate-token', 'Print a new client token valid for DAYS days, 30 by default')}if [ "$#" -gt 1 ]; then
  echo "usage: flight power-server-generate-token [DAYS]" >&2
  exit 2
fi
exec ${binary} token "$@" --config ${shellQuote(options.serverConfig)}
`,
    })
  }
  return commands
}
