import { TopologyError } from './errors.ts'
import type { Topology } from './types.ts'
import { validateTopology } from './validate.ts'
import { parseYaml } from './yaml-source.ts'
import { readYamlSubset } from './yaml-subset.ts'
import { fileErrorWords, readLimited } from './read-limited.ts'

/** Options of `parseTopology` and `loadTopology`. */
export interface LoadOptions {
  /**
   * Read the plain YAML topologies are written in with our own subset reader
   * (./yaml-subset.ts), which gives the `yaml` library's value about 25 times faster; default
   * true. False always uses the `yaml` library, the reference reading: for the differential
   * tests and the benchmark's baseline.
   */
  readonly fast?: boolean
}

/** Parse and validate topology YAML text; throws TopologyError listing every problem. */
export function parseTopology(
  text: string,
  source = '<inline>',
  options: LoadOptions = {},
): Topology {
  if (options.fast !== false) {
    const fast = readYamlSubset(text)
    // Lines are only needed for problems, and a topology with problems is read again below
    // by the `yaml` library, so every message and line is the one it has always been.
    const topology = fast && validateTopology(fast.value, source, () => 0).topology
    if (topology) return topology
  }
  const yaml = parseYaml(text)
  if (yaml.problems.length > 0) throw new TopologyError(source, yaml.problems)
  const { topology, problems } = validateTopology(yaml.value, source, yaml.lineOf)
  if (!topology) throw new TopologyError(source, problems)
  return topology
}

/** Read, parse and validate the topology file at `path` (at most 64 MiB). */
export async function loadTopology(path: string, options: LoadOptions = {}): Promise<Topology> {
  let text: string
  try {
    ;({ text } = await readLimited(path))
  } catch (error) {
    const reason = fileErrorWords(error)
    throw new TopologyError(path, [{ line: 0, key: '', message: reason }], { cause: error })
  }
  return parseTopology(text, path, options)
}
