import type { Node as YamlNode } from 'yaml'
import type { TopologyProblem } from './errors.ts'

/** A parsed YAML file: its plain value, plus where each key stands, for error messages. */
export interface YamlSource {
  readonly value: unknown
  /** Problems of the YAML itself (syntax, duplicate keys); when any, `value` is not usable. */
  readonly problems: readonly TopologyProblem[]
  /** 1-based line of the key at `path` (or of its nearest ancestor that has a place). */
  lineOf: (path: readonly (string | number)[]) => number
}

/** Parse YAML text, keeping line positions. Merge keys (`<<: *x`) work as in Ruby's Psych. */
export function parseYaml(text: string): YamlSource {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = loadYaml()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter,
    merge: true,
    // yaml's own check compares each key with every earlier key of its mapping: quadratic, so
    // 100,000 nodes took minutes. duplicateKeys() below does the same in one pass.
    uniqueKeys: false,
    prettyErrors: false,
  })
  const lineAt = (offset: number) => lineCounter.linePos(offset).line

  const problems: TopologyProblem[] = [...doc.errors, ...doc.warnings].map((error) => ({
    line: lineAt(error.pos[0]),
    key: '',
    message: yamlMessage(error.code, error.message, keyAt(text, error.pos[0])),
  }))

  if (problems.length === 0)
    for (const problem of duplicateKeys(doc.contents, text, lineAt)) problems.push(problem)

  function lineOf(path: readonly (string | number)[]): number {
    let node: unknown = doc.contents
    let line = node && (node as YamlNode).range ? lineAt((node as YamlNode).range![0]) : 1
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(step),
        )
        if (!pair) return line
        if (isScalar(pair.key) && pair.key.range) line = lineAt(pair.key.range[0])
        node = pair.value
      } else if (isSeq(node) && typeof step === 'number') {
        node = node.items[step]
        if (node && (node as YamlNode).range) line = lineAt((node as YamlNode).range![0])
      } else {
        return line
      }
    }
    return line
  }

  let value: unknown
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 10_000 })
    } catch (error) {
      // yaml refuses alias "billion laughs" here, after parsing: a bad file, not a crash.
      problems.push({ line: 1, key: '', message: `invalid YAML: ${(error as Error).message}` })
    }
  }
  return { value, problems, lineOf }
}

/**
 * The `yaml` library, loaded on first use: the subset reader (./yaml-subset.ts) reads every
 * well-formed shipped topology without it, and client commands, which import this room,
 * should not pay for evaluating it at start-up.
 */
function loadYaml(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load; Bun bundles it into the binary
  return require('yaml') as typeof import('yaml')
}

function yamlMessage(code: string, message: string, source: string): string {
  if (code === 'DUPLICATE_KEY') {
    return `duplicate key ${JSON.stringify(source)}: each name may appear once`
  }
  return `invalid YAML: ${firstLine(message)}`
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? text
}

/** The key written at `offset` (yaml reports only where a duplicate starts). */
function keyAt(text: string, offset: number): string {
  const match = /^("[^"\n]*"|'[^'\n]*'|[^:\n]+)/.exec(text.slice(offset))
  return (match?.[1] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2')
}

/** Keys repeated within one mapping, compared by value as yaml's uniqueKeys does (1 and 01 clash). */
function duplicateKeys(
  root: unknown,
  text: string,
  lineAt: (offset: number) => number,
): TopologyProblem[] {
  const { isMap, isScalar, isSeq } = loadYaml()
  const problems: TopologyProblem[] = []
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const node = pending.pop()
    if (isMap(node)) {
      const seen = new Set<unknown>()
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key
        if (seen.has(key) && isScalar(pair.key) && pair.key.range) {
          const offset = pair.key.range[0]
          problems.push({
            line: lineAt(offset),
            key: '',
            message: yamlMessage('DUPLICATE_KEY', '', keyAt(text, offset)),
          })
        }
        seen.add(key)
        pending.push(pair.value)
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item)
    }
  }
  return problems.sort((a, b) => a.line - b.line)
}
