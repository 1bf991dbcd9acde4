/** What a token may do: `read` lists and reads status, `power` does everything. */
export type Scope = 'read' | 'power'
export const SCOPES: readonly Scope[] = ['read', 'power']
