/**
 * The differential test of the fast topology path: Bun.YAML (behind the subset scanner and the
 * digest check) against the `yaml` library, the reference. For every text below, whenever the
 * fast path accepts it, its value is the `yaml` library's value (types, key order, NaN and -0
 * included), and the loaded topology or the list of problems is the same either way.
 */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TopologyError } from './errors.ts'
import { parseTopology } from './load.ts'
import type { Topology } from './types.ts'
import { readYamlFast } from './yaml-fast.ts'
import { parseYaml } from './yaml-source.ts'

const root = new URL('../../', import.meta.url).pathname

/** A value with every detail that can matter spelled out: key order, number identity, type. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return ['list', ...value.map(canonical)]
  if (value instanceof Date) return ['date', value.toISOString()]
  if (typeof value === 'object' && value !== null) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a class instance names itself
    if (Object.getPrototypeOf(value) !== Object.prototype) return ['object', String(value)]
    return ['map', ...Object.entries(value).map(([key, item]) => [key, canonical(item)])]
  }
  if (typeof value === 'number') return ['number', Object.is(value, -0) ? '-0' : String(value)]
  return [typeof value, value]
}

/** A loaded topology, or the problems it was rejected for, in a comparable form. */
function outcome(text: string, fast: boolean): unknown {
  let topology: Topology
  try {
    topology = parseTopology(text, 'diff.yaml', { fast })
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error
    return { message: error.message, problems: error.problems }
  }
  return {
    nodes: [...topology.nodes.values()].map((n) => [
      n.name,
      n.platform,
      Object.entries(n.variables),
    ]),
    platforms: [...topology.platforms.values()].map((p) => [
      p.name,
      p.variables,
      Object.entries(p.defaults),
      Object.entries(p.scripts),
      p.statusOffExitCode,
      Object.entries(p.timeouts),
    ]),
    groups: [...topology.groups.entries()],
  }
}

/** Compare both readings of `text`; returns whether the fast path took it. */
function differential(text: string): boolean {
  const fast = readYamlFast(text)
  if (fast) {
    const reference = parseYaml(text)
    expect(reference.problems).toEqual([])
    expect(canonical(fast.value)).toEqual(canonical(reference.value))
  }
  expect(outcome(text, true)).toEqual(outcome(text, false))
  return fast !== undefined
}

const platform = `platforms:
  demo:
    variables: [name, v]
    defaults: { v: '' }
    power_on: exit 0
    status: exit 0
`

describe('files we ship and power-server 1.0 files', () => {
  const files = [
    ...readdirSync(join(root, 'test/fixtures'))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => `test/fixtures/${f}`),
    'etc/topology.yaml',
    'etc/demo/topology.yaml',
  ]
  test.each(files)('%s: the fast path takes it and reads it as yaml does', (file) => {
    expect(differential(readFileSync(join(root, file), 'utf8'))).toBe(true)
  })

  test('the shipped topology with IPMI nodes as the benchmark writes them, fast', () => {
    const nodes = Array.from(
      { length: 300 },
      (_, i) =>
        `  node${String(i).padStart(3, '0')}: { platform: ipmi, ipmi_username: admin, ipmi_password: s3cret, bmc: 10.0.${i >> 8}.${i & 255} }`,
    )
    const shipped = readFileSync(join(root, 'etc/topology.yaml'), 'utf8')
    const text = shipped.replace(/^static_nodes:[ \t]*$/m, `static_nodes:\n${nodes.join('\n')}`)
    expect(differential(text)).toBe(true)
  })
})

/** Odd scalars, each a variable of a node, plain, single- and double-quoted. */
const ODD_SCALARS = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'Yes',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'FALSE',
  'null',
  'Null',
  'NULL',
  '~',
  '0x1F',
  '0x1f',
  '0o17',
  '017',
  '09',
  '0777',
  '00',
  '1e3',
  '1E3',
  '1.5e-3',
  '1.',
  '.5',
  '+1',
  '+.5',
  '-0',
  '-1',
  '12345678901234567890',
  '1_000',
  '1:20',
  '0b101',
  '.inf',
  '-.inf',
  '.Inf',
  '.nan',
  '.NaN',
  'nan',
  'inf',
  'Infinity',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 -5',
  '10.0.0.1',
  '1.2.3',
  '=',
  'i-0abc',
  'a#b',
  'http://x:80/y',
  '"a b"',
  "'it''s'",
  '"tab\\there"',
  '"\\x41"',
]

describe('odd scalars read alike, or go to the yaml library', () => {
  test.each(ODD_SCALARS)('%s', (scalar) => {
    const forms = [scalar, `'${scalar.replaceAll("'", "''")}'`, `"${scalar.replaceAll('"', "'")}"`]
    for (const form of forms) {
      differential(
        `static_nodes:\n  n1: { platform: demo, v: ${form} }\n  n2:\n    platform: demo\n    v: ${form}\n${platform}`,
      )
      differential(
        `static_nodes:\n  n1: { platform: demo }\n${platform}    timeout: ${form}\n    status_off_exit_code: ${form}\n`,
      )
      differential(`static_nodes:\n  ${form}: { platform: demo }\n${platform}`)
    }
  })

  test('Bun reads the odd plain scalars as the core schema does, so they stay fast', () => {
    const fast = ['yes', 'on', '0x1F', '0o17', '017', '1e3', '~', '.inf', '.nan', '2001-12-14']
    for (const scalar of fast) {
      expect(
        differential(`static_nodes:\n  n1: { platform: demo, v: ${scalar} }\n${platform}`),
      ).toBe(true)
    }
  })
})

/** Texts on which Bun.YAML 1.4.5 and the `yaml` library disagree (or may): never fast. */
const DIFFERING: Record<string, string> = {
  'duplicate key': `static_nodes:\n  n1: { platform: demo }\n  n1: { platform: demo }\n${platform}`,
  'duplicate key in a flow mapping': `static_nodes:\n  n1: { platform: demo, v: 1, v: 2 }\n${platform}`,
  'duplicate key, quoted and plain': `static_nodes:\n  n1: { platform: demo }\n  'n1': { platform: demo }\n${platform}`,
  'duplicate script': `static_nodes:\n  n1: { platform: demo }\n${platform}    status: exit 1\n`,
  'merge key order': `base: &b { platform: demo, v: x }\nstatic_nodes:\n  n1:\n    <<: *b\n    v: y\n${platform}`,
  'quoted merge key': `static_nodes:\n  n1: { platform: demo }\n  n2:\n    '<<': { platform: demo }\n${platform}`,
  tags: `static_nodes:\n  n1: { platform: demo, v: !!int "7" }\n${platform}`,
  'YAML 1.1 directive': `%YAML 1.1\n---\nstatic_nodes:\n  n1: { platform: demo, v: 017 }\n${platform}`,
  'two documents': `static_nodes:\n  n1: { platform: demo }\n${platform}---\nstatic_nodes: {}\n`,
  'null key': `static_nodes:\n  n1: { platform: demo }\n  ~: { platform: demo }\n${platform}`,
  'complex key': `static_nodes:\n  ? [a, b]\n  : { platform: demo }\n${platform}`,
  'key over 1024 characters': `static_nodes:\n  ${'n'.repeat(1100)}: { platform: demo }\n${platform}`,
  'tab as indentation': `static_nodes:\n\tn1: { platform: demo }\n${platform}`,
  'a timestamp tag': `static_nodes:\n  n1: { platform: demo, v: !!timestamp 2001-12-14 }\n${platform}`,
}

describe('constructs where the parsers differ take the yaml library', () => {
  test.each(Object.keys(DIFFERING))('%s', (name) => {
    const text = DIFFERING[name] as string
    expect(readYamlFast(text)).toBeUndefined()
    expect(differential(text)).toBe(false)
  })

  test('Bun.YAML keeps a duplicate key silently; the loader still reports it, with its line', () => {
    expect(Bun.YAML.parse('a: 1\na: 2\n')).toEqual({ a: 2 })
    const text = DIFFERING['duplicate key'] as string
    expect(() => parseTopology(text, 'dup.yaml')).toThrow(
      'Cannot load topology "dup.yaml": line 3: duplicate key "n1": each name may appear once',
    )
  })
})

describe('YAML structure reads alike', () => {
  const cases: Record<string, string> = {
    'anchors and merge keys': `x-ipmi: &ipmi { platform: demo, v: admin }\nstatic_nodes:\n  n1:\n    <<: *ipmi\n  n2: { <<: *ipmi, v: other }\n${platform}`,
    'merge of a list of anchors': `a: &a { platform: demo }\nb: &b { v: x }\nstatic_nodes:\n  n1:\n    <<: [*a, *b]\n${platform}`,
    'block scalars': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables: [name]\n    power_on: |\n      a\n        b\n\n      c\n\n\n    power_off: |-\n      x\n\n      y\n\n    restart: >\n      folded\n      text\n\n      more\n        kept\n    status: >-\n      s\n      t\n`,
    'literal with leading empty lines and a comment-like line': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables: [name]\n\n    status: |-\n\n      # not a comment\n      exit 0\n    # a comment\n    power_on: exit 0\n`,
    'keep chomping and an indentation indicator': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables: [name]\n    status: |+\n      exit 0\n\n    power_on: |2\n        indented\n      exit 0\n`,
    'a literal at the end without a final newline': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables: [name]\n    status: |\n      exit 0`,
    'a sequence at the same indent as its key': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables:\n    - name\n    status: exit 0\n`,
    'block lists and empty values': `static_nodes:\n  n1:\n    platform: demo\n    v:\ngroups:\n  g:\n    - n1\n    - 'n1'\n${platform}`,
    'tabs inside a script and after a value': `static_nodes:\n  n1: { platform: demo, v: a\tb }\nplatforms:\n  demo:\n    variables: [name]\n    status: |-\n      if true; then\n      \texit 0\n      fi\n`,
    'multi-line plain and quoted scalars': `static_nodes:\n  n1: { platform: demo, v: "a\n    b" }\n  n2:\n    platform: demo\n    v: one\n      two\n${platform}`,
    'comments everywhere': `# top\nstatic_nodes: # nodes\n  # n0\n  n1: { platform: demo, v: x } # after\n  n2:\n    platform: demo # p\n    v: x#y\n${platform}# end\n`,
    'escapes in double quotes': `static_nodes:\n  n1: { platform: demo, v: "\\u00e9\\t\\"q\\"" }\n${platform}`,
    'CRLF line ends': `static_nodes:\r\n  n1: { platform: demo, v: x }\r\n${platform.replaceAll('\n', '\r\n')}`,
    'a byte order mark': `\uFEFFstatic_nodes:\n  n1: { platform: demo }\n${platform}`,
    __proto__: `static_nodes:\n  n1: { platform: demo, __proto__: x }\n${platform}`,
    'a bad indentation': `static_nodes:\n  n1: { platform: demo }\n   n2: { platform: demo }\n${platform}`,
    'a nested mapping in a compact value': `static_nodes:\n  n1: platform: demo\n${platform}`,
    'an unclosed flow mapping': `static_nodes:\n  n1: { platform: demo\n${platform}`,
    'an empty file': '',
    'only comments': '# nothing\n',
    'a list at the top': '- a\n- b\n',
    'a scalar at the top': 'hello\n',
    'nested flow collections': `static_nodes:\n  n1: { platform: demo, v: [a, { b: c }] }\n${platform}`,
    'an empty flow mapping and list': `static_nodes: {}\ngroups: {}\nplatforms:\n  demo:\n    variables: []\n    status: exit 0\n`,
    'a document start and end marker': `---\nstatic_nodes:\n  n1: { platform: demo }\n${platform}...\n`,
  }
  test.each(Object.keys(cases))('%s', (name) => {
    differential(cases[name] as string)
  })

  test('the subset a site writes stays on the fast path', () => {
    const fast = [
      'literal with leading empty lines and a comment-like line',
      'block lists and empty values',
      'comments everywhere',
      'an empty flow mapping and list',
    ]
    for (const name of fast)
      expect([name, differential(cases[name] as string)]).toEqual([name, true])
  })
})

/** A small seeded generator (mulberry32), so a failure names a seed that reproduces it. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A random topology: mostly plain, with odd scalars, quoting styles, comments and now and then a construct where the parsers differ or a mistake. */
function randomTopology(seed: number): string {
  const random = randomSource(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const chance = (p: number) => random() < p
  const words = ['admin', 's3cret', 'eu-west-1', 'i-0abc123', 'rack 1', 'a b c', '/opt/x', 'x.y']
  // Half the files keep to what a site writes; the others reach for every odd corner.
  const odd = chance(0.5)
  const scalar = (): string => {
    const raw = chance(odd ? 0.5 : 0.05) ? pick(ODD_SCALARS) : pick(words)
    if (chance(0.7)) return raw
    return chance(0.5) ? `'${raw.replaceAll("'", "''")}'` : `"${raw.replaceAll('"', '')}"`
  }
  const comment = () => (chance(0.15) ? ` # ${pick(words)}` : '')
  const lines: string[] = []
  if (chance(0.1)) lines.push(`# topology ${seed}`)
  const anchors = odd && chance(0.2)
  if (anchors) lines.push(`x-base: &base { platform: p0, v0: ${scalar()} }`)
  lines.push('static_nodes:')
  const nodeCount = 1 + Math.floor(random() * 12)
  const names: string[] = []
  for (let i = 0; i < nodeCount; i++) {
    const name = chance(0.03) ? pick(ODD_SCALARS) : `node${String(i).padStart(2, '0')}`
    const dup = chance(0.03) && names.length > 0 ? pick(names) : name
    names.push(dup)
    const vars = Array.from(
      { length: Math.floor(random() * 4) },
      (_, k) => `v${chance(0.05) ? 0 : k}: ${scalar()}`,
    )
    const platformName = chance(0.05) ? 'missing' : `p${Math.floor(random() * 2)}`
    if (anchors && chance(0.5)) {
      lines.push(`  ${dup}:`, '    <<: *base', ...vars.map((v) => `    ${v}`))
    } else if (chance(0.5)) {
      lines.push(
        `  ${dup}: { platform: ${platformName}${vars.map((v) => `, ${v}`).join('')} }${comment()}`,
      )
    } else {
      lines.push(
        `  ${dup}:${comment()}`,
        `    platform: ${platformName}`,
        ...vars.map((v) => `    ${v}${comment()}`),
      )
    }
    if (chance(0.05)) lines.push('')
  }
  if (chance(0.3)) {
    lines.push('groups:')
    if (chance(0.5)) lines.push(`  g1: node[00-0${Math.min(9, nodeCount)}]`)
    else lines.push('  g1:', `    - ${pick(names)}`, `    - '${pick(names)}'`)
  }
  lines.push('platforms:')
  for (let p = 0; p < 2; p++) {
    lines.push(`  p${p}:`)
    lines.push(
      chance(0.5)
        ? '    variables: [name, v0, v1, v2]'
        : '    variables:\n      - name\n      - v0\n      - v1\n      - v2',
    )
    if (chance(0.5))
      lines.push(`    defaults: { v0: ${scalar()}, v1: ${scalar()}, v2: ${scalar()} }`)
    else
      lines.push(
        '    defaults:',
        `      v0: ${scalar()}`,
        `      v1: ${scalar()}`,
        `      v2: ${scalar()}`,
      )
    if (chance(0.5))
      lines.push(`    timeout: ${chance(0.5) ? scalar() : String(1 + Math.floor(random() * 100))}`)
    if (chance(0.3)) lines.push(`    status_off_exit_code: ${chance(0.5) ? scalar() : '111'}`)
    const style = pick(odd ? ['plain', 'quoted', '|-', '|', '>', '>-', '|+'] : ['plain', '|-', '|'])
    if (style === 'plain') lines.push('    status: exit 0')
    else if (style === 'quoted') lines.push(`    status: 'echo "on"; exit 0'`)
    else {
      lines.push(`    status: ${style}${comment()}`, '      echo "$name"', '')
      if (chance(0.5)) lines.push('        indented: yes & no', '')
      lines.push('      exit 0')
      if (chance(0.5)) lines.push('')
    }
    lines.push(
      `    power_on: ${pick(['exit 0', "'exit 0'", '"exit 0"', 'ipmitool -H "$bmc" power on'])}${comment()}`,
    )
    if (odd && chance(0.1)) lines.push('    power_off:\texit 0')
    if (chance(0.03)) lines.push('    powr_off: exit 0')
    if (chance(0.03)) lines.push('    status: exit 1')
  }
  return `${lines.join('\n')}\n`
}

describe('random topologies (seeded)', () => {
  test('300 generated topologies read alike; most take the fast path, some cannot', () => {
    let fast = 0
    const seeds = Array.from({ length: 300 }, (_, i) => 1_000 + i)
    for (const seed of seeds) {
      const text = randomTopology(seed)
      try {
        if (differential(text)) fast++
      } catch (error) {
        throw new Error(`seed ${seed} differs:\n${text}`, { cause: error })
      }
    }
    // Both counts are part of the claim: the fast path is used, and it does decline.
    console.log(`random topologies: ${fast} of ${seeds.length} took the fast path`)
    expect(fast).toBeGreaterThan(seeds.length / 4)
    expect(fast).toBeLessThan(seeds.length)
  }, 120_000)
})

describe('the digest catches any misreading by the fast parser', () => {
  const text = `static_nodes:\n  n1: { platform: demo, v: admin, port: 623, on: true, empty: ~ }\n  n2:\n    platform: demo\n${platform}`
  const misreadings: Record<string, (value: any) => void> = {
    'a key dropped, as a duplicate would be': (v) => delete v.static_nodes.n1.empty,
    'a key spelt differently, same length': (v) => {
      v.static_nodes.n1.w = v.static_nodes.n1.v
      delete v.static_nodes.n1.v
    },
    'one character of a string': (v) => (v.static_nodes.n1.v = 'admim'),
    'two characters swapped': (v) => (v.static_nodes.n1.v = 'damin'),
    'a number read in another base': (v) => (v.static_nodes.n1.port = 0o623),
    'a number read as a string': (v) => (v.static_nodes.n1.port = '623'),
    'a boolean read as a string': (v) => (v.static_nodes.n1.on = 'true'),
    'a null read as an empty string': (v) => (v.static_nodes.n1.empty = ''),
    'a key moved one level up': (v) => {
      v.static_nodes.platform = v.static_nodes.n2.platform
      delete v.static_nodes.n2.platform
    },
    'a list item lost': (v) => v.platforms.demo.variables.pop(),
    'a script with a trailing newline': (v) => (v.platforms.demo.status += '\n'),
    'a Date instead of a string': (v) => (v.platforms.demo.status = new Date(0)),
  }
  test('the unchanged reading passes', () => {
    expect(readYamlFast(text, { parse: (t) => Bun.YAML.parse(t) })).toBeDefined()
  })
  test.each(Object.keys(misreadings))('%s', (name) => {
    const misread = misreadings[name] as (value: unknown) => void
    const parse = (t: string) => {
      const value = Bun.YAML.parse(t)
      misread(value)
      return value
    }
    expect(readYamlFast(text, { parse })).toBeUndefined()
  })
})
