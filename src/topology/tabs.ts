import type { TopologyProblem } from './errors.ts'

/**
 * YAML indents with spaces only. A tab in the indentation of a block script makes the YAML
 * parser report a handful of unrelated errors below it; this finds the tab itself, when it
 * comes at or before the first YAML error, so that one error at the tab can replace them.
 */
export function tabProblem(
  text: string,
  problems: readonly TopologyProblem[],
): TopologyProblem | undefined {
  const yaml = problems.filter((problem) => problem.message.startsWith('invalid YAML'))
  if (yaml.length === 0) return undefined
  const firstYamlLine = Math.min(...yaml.map((problem) => problem.line || Infinity))
  const lines = text.split('\n')
  for (let index = 0; index < lines.length && index < firstYamlLine; index++) {
    const indent = /^[ \t]*/.exec(lines[index] ?? '')?.[0] ?? ''
    if (indent.includes('\t') && lines[index]!.trim() !== '') {
      return {
        line: index + 1,
        key: '',
        message: `a tab in the indentation (column ${indent.indexOf('\t') + 1}): YAML indents with spaces only, in block scripts too`,
      }
    }
  }
  return undefined
}

/** The problems with every YAML error replaced by the tab that caused them, when one did. */
export function withTabProblem(
  text: string,
  problems: readonly TopologyProblem[],
): readonly TopologyProblem[] {
  const tab = tabProblem(text, problems)
  if (!tab) return problems
  return [tab, ...problems.filter((problem) => !problem.message.startsWith('invalid YAML'))].sort(
    (a, b) => a.line - b.line,
  )
}
