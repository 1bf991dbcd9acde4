import type { Principal } from './auth.ts'

/** What the server knows of a request's connection, passed in as Hono bindings. */
export interface ConnectionBindings {
  /** The client's address, for the audit line of a refused request. */
  readonly peer?: string
  /**
   * Lift the connection's idle timeout while an authenticated action runs (actions may take
   * minutes before their first byte); returns how to restore it once the answer is ready.
   */
  readonly holdOpen?: () => () => void
}

/** Hono's per-request variables, in their own module so routes need not import the app. */
export interface AppEnv {
  Bindings: ConnectionBindings
  Variables: { principal?: Principal }
}
