/**
 * Server mode of flight-power: the HTTP API (`serve`), tokens (`token`) and first-time
 * set-up (`init`). Other rooms use what this file exports, nothing else. It stays light:
 * every client command loads it, so the HTTP app and jose are imported only by `serve`
 * and `token` when they run.
 */
import type { CAC } from 'cac'
import { loadServerConfig } from './config/config.ts'
import { registerInitCommand } from './commands/init-command.ts'
import { registerServeCommand } from './commands/serve-command.ts'
import { registerTokenCommand } from './commands/token-command.ts'

export {
  DEFAULT_CONFIG_PATH,
  DEFAULT_TOPOLOGY_PATH,
  loadServerConfig,
  requireSecret,
  type ServerConfig,
} from './config/config.ts'
export { ServerConfigError } from './config/errors.ts'

/** The topology path the server config names (`--config FILE`, else the default config and environment). */
export async function defaultTopologyPath(configFile?: string): Promise<string> {
  return (await loadServerConfig({ configFile })).topologyPath
}

/** Server commands: serve, token, init. */
export function registerServerCommands(cli: CAC): void {
  registerServeCommand(cli)
  registerTokenCommand(cli)
  registerInitCommand(cli)
}
