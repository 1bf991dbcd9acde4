import type { Principal } from './auth.ts'

/** Hono's per-request variables, in their own module so routes need not import the app. */
export interface AppEnv {
  Variables: { principal?: Principal }
}
