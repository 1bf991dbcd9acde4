/**
 * What the engine writes to the server's log. Declared here, not imported from the server, so
 * data flows one way (server → engine); the server's `Logger` satisfies it.
 */
export interface EngineLog {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
}
