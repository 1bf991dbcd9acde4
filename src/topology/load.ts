import { TopologyError } from './errors.ts'
import type { Topology } from './types.ts'
import { validateTopology } from './validate.ts'
import { parseYaml } from './yaml-source.ts'
import { FileTooLargeError, readLimited } from './read-limited.ts'

/** Parse and validate topology YAML text; throws TopologyError listing every problem. */
export function parseTopology(text: string, source = '<inline>'): Topology {
  const yaml = parseYaml(text)
  if (yaml.problems.length > 0) throw new TopologyError(source, yaml.problems)
  const { topology, problems } = validateTopology(yaml.value, source, yaml.lineOf)
  if (!topology) throw new TopologyError(source, problems)
  return topology
}

/** Read, parse and validate the topology file at `path` (at most 64 MiB). */
export async function loadTopology(path: string): Promise<Topology> {
  let text: string
  try {
    ;({ text } = await readLimited(path))
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : error instanceof FileTooLargeError
          ? error.message
          : String((error as Error).message)
    throw new TopologyError(path, [{ line: 0, key: '', message: reason }], { cause: error })
  }
  return parseTopology(text, path)
}
