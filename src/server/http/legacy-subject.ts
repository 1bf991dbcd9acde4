/**
 * Subject recorded for power-server 1.0 tokens (`{"admin":null,"exp":…}`), which name nobody.
 * A file of its own: `token --revoke` needs the name, and must not load jose for it.
 */
export const LEGACY_SUBJECT = 'power-server-token'
