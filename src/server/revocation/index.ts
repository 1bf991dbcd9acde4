/**
 * Token revocation (SPEC §13): the revocation file's format, the server's watcher of it, and
 * the `token --revoke` side that appends to it after checking the ledger of issued tokens.
 */
export { EMPTY_LIST, isRevoked, loadRevocations, parseRevocations } from './list.ts'
export type { RevocationList, TokenIdentity } from './list.ts'
export { watchRevocations, type RevocationWatcher } from './watcher.ts'
export { findIssued, ledgerPath, newTokenId, recordIssued, type IssuedToken } from './ledger.ts'
export { revokeSubject, revokeTokenId, type Revoked } from './revoke.ts'
