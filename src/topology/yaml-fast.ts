import { digestOf } from './yaml-digest.ts'
import { scanSubset } from './yaml-subset.ts'

/** Options of `readYamlFast`. */
export interface ReadYamlFastOptions {
  /** The native parser; Bun.YAML.parse unless a test hands in one that misreads on purpose. */
  readonly parse?: (text: string) => unknown
}

/**
 * Read `text` with Bun's native YAML parser, about 13 times faster than the `yaml` library on
 * a 100,000-node topology, when that is safe: `{ value }`, or undefined when the `yaml` library
 * must read it. Safe means the text keeps to the plain subset of YAML where both read alike
 * (./yaml-subset.ts), and the value Bun returns has the digest that subset reading predicts:
 * same keys (so a duplicate key, which Bun keeps silently, is caught), nesting, scalar types
 * and spellings. The `yaml` library stays the reference: it reads anything declined here, and
 * it alone reports errors with their lines.
 */
export function readYamlFast(
  text: string,
  options: ReadYamlFastOptions = {},
): { value: unknown } | undefined {
  const expected = scanSubset(text)
  if (!expected) return undefined
  let value: unknown
  try {
    value = (options.parse ?? Bun.YAML.parse)(text)
  } catch {
    return undefined
  }
  const actual = digestOf(value)
  return actual?.equals(expected) ? { value } : undefined
}
