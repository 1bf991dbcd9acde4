import type { TopologyProblem } from './errors.ts'
import { isValidNodeName } from './hostlist.ts'
import { readGroups } from './read-groups.ts'
import { RANGED_KEYS, readRanged } from './read-ranged.ts'
import { isRecord, type Path, type Report } from './problem-report.ts'
import { suggest } from './suggest.ts'
import {
  DEFAULT_CYCLE_DELAY_SECONDS,
  DEFAULT_STATUS_OFF_EXIT_CODE,
  BUILTIN_DRIVERS,
  DEFAULT_SCRIPT_TIMEOUT_SECONDS,
  SCRIPT_KEYS,
  type BuiltinDriver,
  type Node,
  type Platform,
  type ScriptKey,
  type Topology,
} from './types.ts'

const TOP_KEYS = new Set(['static_nodes', 'nodes', 'platforms', 'groups'])
const PLATFORM_KEYS = new Set<string>([
  ...SCRIPT_KEYS,
  'variables',
  'defaults',
  'status_off_exit_code',
  'timeout',
  'cycle_delay',
  'retries',
  ...RANGED_KEYS,
  'driver',
])
/** A platform may retry a few times; more would hold a node for minutes of backoff. */
const MAX_RETRIES = 5
/** Seconds; a day is already far beyond any sane power action, so larger values are typos. */
const MAX_TIMEOUT_SECONDS = 86_400

/**
 * Turn a parsed YAML value into a Topology, collecting every problem on the way.
 * `topology` is absent when any problem was found.
 */
export function validateTopology(
  value: unknown,
  source: string,
  lineOf: (path: Path) => number,
): { topology?: Topology; problems: TopologyProblem[] } {
  const problems: TopologyProblem[] = []
  const report: Report = (path, message) =>
    problems.push({ line: lineOf(path), key: path.join('.'), message })

  if (!isRecord(value)) {
    report([], 'the file must be a mapping with "platforms" and "static_nodes"')
    return { problems }
  }
  for (const key of Object.keys(value)) {
    if (!TOP_KEYS.has(key)) report([key], `unknown key${suggest(key, TOP_KEYS)}`)
  }
  if (value.nodes !== undefined && value.static_nodes !== undefined) {
    report(['nodes'], 'give the nodes under "static_nodes" or "nodes", not both')
  }
  const nodesKey =
    value.static_nodes === undefined && value.nodes !== undefined ? 'nodes' : 'static_nodes'

  const platforms = readPlatforms(value.platforms, report)
  const nodes = readNodes(value[nodesKey], nodesKey, platforms, report)
  // Names written under the nodes key, valid or not; a lookup, not a Set of 100,000 names.
  const written = isRecord(value[nodesKey]) ? value[nodesKey] : {}
  const declared = { has: (name: string) => Object.hasOwn(written, name) }
  const { groups, rates: groupRates } = readGroups(value.groups, nodes, declared, report)
  // In line order, as an administrator fixes them top to bottom (the sort is stable).
  if (problems.length > 0) return { problems: problems.sort((a, b) => a.line - b.line) }
  return { topology: { source, nodes, platforms, groups, groupRates }, problems }
}

function readPlatforms(value: unknown, report: Report): Map<string, Platform> {
  const platforms = new Map<string, Platform>()
  if (value === undefined) {
    report(['platforms'], 'is required: define at least one platform')
    return platforms
  }
  if (value === null) return platforms
  if (!isRecord(value)) {
    report(['platforms'], 'must be a mapping of platform names to platforms')
    return platforms
  }
  for (const [name, spec] of Object.entries(value)) {
    const platform = readPlatform(name, spec, report)
    if (platform) platforms.set(name, platform)
  }
  return platforms
}

function readPlatform(name: string, spec: unknown, report: Report): Platform | undefined {
  const at = (key?: string): Path => (key ? ['platforms', name, key] : ['platforms', name])
  if (!isValidNodeName(name))
    report(at(), 'platform names may hold letters, digits, ".", "_" and "-"')
  if (!isRecord(spec)) {
    report(at(), 'must be a mapping with the platform\'s "variables" and scripts')
    return undefined
  }
  for (const key of Object.keys(spec)) {
    if (!PLATFORM_KEYS.has(key)) report(at(key), `unknown key${suggest(key, PLATFORM_KEYS)}`)
  }

  const variables: string[] = []
  if (spec.variables !== undefined && spec.variables !== null) {
    if (!Array.isArray(spec.variables)) {
      report(at('variables'), 'must be a list of node variable names, e.g. [name, ipmi_username]')
    } else {
      spec.variables.forEach((variable, index) => {
        if (typeof variable !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
          report(
            ['platforms', name, 'variables', index],
            `${JSON.stringify(variable)} is not a valid shell variable name`,
          )
        } else if (!variables.includes(variable)) {
          variables.push(variable)
        }
      })
    }
  }

  const defaults = readDefaults(spec.defaults, variables, at('defaults'), report)

  const scripts: Partial<Record<ScriptKey, string>> = {}
  for (const key of SCRIPT_KEYS) {
    const script = spec[key]
    if (script === undefined || script === null) continue
    if (typeof script !== 'string') report(at(key), 'must be a string holding a bash script')
    else scripts[key] = script
  }

  let statusOffExitCode = DEFAULT_STATUS_OFF_EXIT_CODE
  const offCode = spec.status_off_exit_code
  if (offCode !== undefined && offCode !== null) {
    if (!Number.isInteger(offCode) || (offCode as number) < 1 || (offCode as number) > 255) {
      report(at('status_off_exit_code'), 'must be a whole number from 1 to 255 (0 means "on")')
    } else {
      statusOffExitCode = offCode as number
    }
  }

  const driver = readDriver(spec.driver, at('driver'), report)
  return {
    name,
    ...(driver ? { driver } : {}),
    variables,
    defaults,
    scripts,
    statusOffExitCode,
    timeouts: readTimeouts(spec.timeout, at('timeout'), report),
    cycleDelaySeconds: readNumber(spec.cycle_delay, at('cycle_delay'), report, {
      fallback: DEFAULT_CYCLE_DELAY_SECONDS,
      min: 0,
      max: 600,
      what: 'a number of seconds',
    }),
    retries: readNumber(spec.retries, at('retries'), report, {
      fallback: 0,
      min: 0,
      max: MAX_RETRIES,
      what: 'a whole number of retries',
      integer: true,
    }),
    ...readRanged(spec, at, report),
  }
}

/** `driver: redfish`: a built-in driver; absent or null is none (scripts only). */
function readDriver(value: unknown, path: Path, report: Report): BuiltinDriver | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string' && (BUILTIN_DRIVERS as readonly string[]).includes(value))
    return value as BuiltinDriver
  report(path, `unknown driver ${JSON.stringify(value)}: expected ${BUILTIN_DRIVERS.join(' or ')}`)
  return undefined
}

/** An optional number within bounds; absent or null gives `fallback`. */
function readNumber(
  value: unknown,
  path: Path,
  report: Report,
  rule: { fallback: number; min: number; max: number; what: string; integer?: boolean },
): number {
  if (value === undefined || value === null) return rule.fallback
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= rule.min &&
    value <= rule.max &&
    (!rule.integer || Number.isInteger(value))
  if (ok) return value
  report(path, `must be ${rule.what} from ${rule.min} to ${rule.max}`)
  return rule.fallback
}

/** `defaults` make listed variables optional for nodes: `{ ipmi_port: 623 }`. */
function readDefaults(
  value: unknown,
  variables: readonly string[],
  path: Path,
  report: Report,
): Record<string, string> {
  const defaults: Record<string, string> = {}
  if (value === undefined || value === null) return defaults
  if (!isRecord(value)) {
    report(path, 'must be a mapping of variable names to default values')
    return defaults
  }
  for (const [variable, raw] of Object.entries(value)) {
    if (!variables.includes(variable))
      report([...path, variable], 'has a default but is not listed in "variables"')
    else if (raw === null || isPlainValue(raw)) defaults[variable] = raw === null ? '' : String(raw)
    else report([...path, variable], 'must be a plain value (string, number or boolean)')
  }
  return defaults
}

function readTimeouts(value: unknown, path: Path, report: Report): Record<ScriptKey, number> {
  const timeouts = Object.fromEntries(
    SCRIPT_KEYS.map((key) => [key, DEFAULT_SCRIPT_TIMEOUT_SECONDS]),
  ) as Record<ScriptKey, number>
  const valid = (seconds: unknown): seconds is number =>
    typeof seconds === 'number' &&
    Number.isFinite(seconds) &&
    seconds > 0 &&
    seconds <= MAX_TIMEOUT_SECONDS
  const explain = `must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}`
  if (value === undefined || value === null) return timeouts
  if (isRecord(value)) {
    for (const [key, seconds] of Object.entries(value)) {
      if (!(SCRIPT_KEYS as readonly string[]).includes(key)) {
        report([...path, key], `unknown script${suggest(key, SCRIPT_KEYS)}`)
      } else if (!valid(seconds)) {
        report([...path, key], explain)
      } else {
        timeouts[key as ScriptKey] = seconds
      }
    }
  } else if (valid(value)) {
    for (const key of SCRIPT_KEYS) timeouts[key] = value
  } else {
    report(path, `${explain}, or a mapping of actions to such numbers`)
  }
  return timeouts
}

function readNodes(
  value: unknown,
  key: string,
  platforms: ReadonlyMap<string, Platform>,
  report: Report,
): Map<string, Node> {
  const nodes = new Map<string, Node>()
  if (value === undefined || value === null) return nodes
  if (!isRecord(value)) {
    report([key], 'must be a mapping of node names to nodes')
    return nodes
  }
  // for…in over a parsed mapping visits its own keys in Object.entries' order, without an
  // array per node or field, and each field name is tested once: these loops run 600,000
  // times for 100,000 IPMI nodes.
  const shellNames = new Set<string>()
  for (const name in value) {
    const spec = value[name]
    if (!isValidNodeName(name)) {
      report(
        nodePath(key, name),
        `invalid node name ${JSON.stringify(name)}: names may hold letters, digits, ".", "_" and "-"`,
      )
      continue
    }
    if (!isRecord(spec)) {
      report(nodePath(key, name), 'must be a mapping with at least "platform"')
      continue
    }
    const variables: Record<string, string> = {}
    let platform: string | undefined
    for (const field in spec) {
      const raw = spec[field]
      if (field === 'platform') {
        if (typeof raw !== 'string' || raw === '')
          report(nodePath(key, name, field), 'must be the name of a platform')
        else if (!platforms.has(raw))
          report(
            nodePath(key, name, field),
            `platform ${JSON.stringify(raw)} is not defined${suggest(raw, platforms.keys())}`,
          )
        else platform = raw
      } else if (field === 'name') {
        if (raw !== name)
          report(nodePath(key, name, field), "a node's name is its key and cannot be set")
      } else if (!shellNames.has(field) && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
        report(nodePath(key, name, field), 'variable names must be valid shell variable names')
      } else if (raw === null || isPlainValue(raw)) {
        // A bare `key:` is an empty value, as power-server read it.
        variables[field] = raw === null ? '' : String(raw)
        shellNames.add(field)
      } else {
        report(
          nodePath(key, name, field),
          'must be a plain value (string, number or boolean), not a list or mapping',
        )
      }
    }
    if (spec.platform === undefined) report(nodePath(key, name), 'has no "platform"')
    variables.name = name
    if (platform) nodes.set(name, { name, platform, variables })
  }
  return nodes
}

/** Where a node, or one of its fields (an empty one names the node), stands; built only for a problem. */
function nodePath(key: string, name: string, field?: string): Path {
  return field ? [key, name, field] : [key, name]
}

function isPlainValue(raw: unknown): raw is string | number | boolean {
  return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
}
