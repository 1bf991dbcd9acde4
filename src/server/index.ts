/**
 * Server mode of flight-power: the HTTP API (`serve`), tokens (`token`) and first-time
 * set-up (`init`). Other rooms use what this file exports, nothing else.
 */
import type { CAC } from 'cac'
import { loadServerConfig } from './config.ts'
import { registerInitCommand } from './init-command.ts'
import { registerServeCommand } from './serve-command.ts'
import { registerTokenCommand } from './token-command.ts'

export { createApp, type AppDeps } from './app.ts'
export { signToken, verifyToken, TokenError, type Principal, type Scope } from './auth.ts'
export {
  DEFAULT_CONFIG_PATH,
  DEFAULT_TOPOLOGY_PATH,
  loadServerConfig,
  requireSecret,
  type ServerConfig,
} from './config.ts'
export { ConfigError } from './errors.ts'
export { createLogger, type Logger, type LogLevel } from './logger.ts'

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
