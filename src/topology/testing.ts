import { expect } from 'bun:test'
import { TopologyError } from './errors.ts'
import { parseTopology } from './load.ts'

/** The problems a broken topology reports, as `line: key: message` strings (tests only). */
export function problemsOf(text: string, source = 'broken.yaml'): string[] {
  try {
    parseTopology(text, source)
  } catch (error) {
    expect(error).toBeInstanceOf(TopologyError)
    return (error as TopologyError).problems.map((p) => `${p.line}: ${p.key}: ${p.message}`)
  }
  throw new Error('expected the topology to be rejected')
}
