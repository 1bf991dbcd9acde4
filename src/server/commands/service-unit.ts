// Embedded at build time, so `init` writes the unit from the single binary with no files beside it.
import { isCompiledBinary } from '../../topology/index.ts'
import text from '../../../etc/flight-power-server.service' with { type: 'text' }

/** The systemd unit shipped in etc/flight-power-server.service. */
export const SHIPPED_UNIT: string = text
/** Where the shipped unit expects the binary: the OpenFlight prefix. */
export const SHIPPED_EXEC_PATH = '/opt/flight/bin/flight-power'
/** The unit's name, and the file name `init` writes under `<prefix>/etc/systemd/system`. */
export const UNIT_NAME = 'flight-power-server.service'

const EXEC_START = /^ExecStart=.*$/m
const ENVIRONMENT_FILE = /^EnvironmentFile=-.*$/m

/** Options of `serviceUnit`. */
export interface ServiceUnitOptions {
  /** Absolute path of the flight-power binary the unit runs. */
  readonly execPath: string
  /** Absolute path of the server config, the unit's optional EnvironmentFile. */
  readonly configFile: string
}

/**
 * The shipped unit with `ExecStart=` running `execPath serve` and `EnvironmentFile=-` naming
 * `configFile`. Paths are escaped for systemd (`%` specifiers, spaces, quotes).
 */
export function serviceUnit(options: ServiceUnitOptions): string {
  for (const [name, path] of Object.entries<string>({ ...options })) {
    if (!path.startsWith('/') || /[\n\r]/.test(path))
      throw new TypeError(`serviceUnit: "${name}" must be an absolute path on one line`)
  }
  if (!EXEC_START.test(SHIPPED_UNIT) || !ENVIRONMENT_FILE.test(SHIPPED_UNIT))
    throw new Error('The embedded unit has no ExecStart= or EnvironmentFile=- line')
  return SHIPPED_UNIT.replace(
    EXEC_START,
    () => `ExecStart=${execArgument(options.execPath)} serve`,
  ).replace(ENVIRONMENT_FILE, () => `EnvironmentFile=-${options.configFile.replaceAll('%', '%%')}`)
}

/**
 * The binary a unit written now should run: this executable when it is the compiled
 * flight-power, else (running as `bun bin/flight-power.ts`, where execPath is bun) the shipped path.
 */
export function unitExecPath(): string {
  return isCompiledBinary(import.meta.path) ? process.execPath : SHIPPED_EXEC_PATH
}

/** An ExecStart= program path: `%` escaped (systemd expands no `$` there), quoted if needed. */
function execArgument(path: string): string {
  const escaped = path.replaceAll('%', '%%')
  if (!/[\s"'\\]/.test(escaped)) return escaped
  return `"${escaped.replace(/["\\]/g, (char) => `\\${char}`)}"`
}
