/** Where in the YAML a value stands: keys and list indexes from the top. */
export type Path = readonly (string | number)[]
/** Record one problem at `path`; validation goes on to find the others. */
export type Report = (path: Path, message: string) => void

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
