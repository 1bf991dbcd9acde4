/**
 * The differential test of the fast topology path: our subset reader (./yaml-subset.ts) against
 * the `yaml` library, the reference. For every text below, whenever the subset reader accepts
 * it, its value is the `yaml` library's value (types, key order, NaN and -0 included), and the
 * loaded topology or the list of problems is the same either way. Bun.YAML, which the loader no
 * longer uses, stands by as a third, independent reading of the files a site writes.
 */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TopologyError } from './errors.ts'
import { parseTopology } from './load.ts'
import type { Topology } from './types.ts'
import { parseYaml } from './yaml-source.ts'
import { readYamlSubset } from './yaml-subset.ts'

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
  const fast = readYamlSubset(text)
  if (fast) {
    const reference = parseYaml(text)
    expect(reference.problems).toEqual([])
    expect(canonical(fast.value)).toEqual(canonical(reference.value))
  }
  expect(outcome(text, true)).toEqual(outcome(text, false))
  return fast !== undefined
}

/** A third reading: Bun's native parser gives the subset reader's value too. */
function expectBunAgrees(text: string): void {
  const fast = readYamlSubset(text)
  expect(fast).toBeDefined()
  expect(canonical(Bun.YAML.parse(text))).toEqual(canonical(fast?.value))
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
    const text = readFileSync(join(root, file), 'utf8')
    expect(differential(text)).toBe(true)
    expectBunAgrees(text)
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
    expectBunAgrees(text)
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

  test('odd plain scalars the core schema reads stay fast', () => {
    const fast = ['yes', 'on', '0x1F', '0o17', '017', '1e3', '~', '.inf', '.nan', '2001-12-14']
    for (const scalar of fast) {
      expect(
        differential(`static_nodes:\n  n1: { platform: demo, v: ${scalar} }\n${platform}`),
      ).toBe(true)
    }
  })
})

/** Texts outside the subset, each for a reason the subset reader's header gives: never fast. */
const DECLINED: Record<string, string> = {
  'duplicate key': `static_nodes:\n  n1: { platform: demo }\n  n1: { platform: demo }\n${platform}`,
  'duplicate key in a flow mapping': `static_nodes:\n  n1: { platform: demo, v: 1, v: 2 }\n${platform}`,
  'duplicate key, quoted and plain': `static_nodes:\n  n1: { platform: demo }\n  'n1': { platform: demo }\n${platform}`,
  'duplicate key, single- and double-quoted': `static_nodes:\n  n1: { platform: demo, 'v': 1, "v": 2 }\n${platform}`,
  'duplicate key after a nested block': `static_nodes:\n  n1:\n    platform: demo\n  n1: { platform: demo }\n${platform}`,
  'duplicate key after an empty value': `static_nodes:\n  n1: { platform: demo }\n  n2:\n  n2: { platform: demo }\n${platform}`,
  'duplicate script': `static_nodes:\n  n1: { platform: demo }\n${platform}    status: exit 1\n`,
  'duplicate top-level key': `static_nodes:\n  n1: { platform: demo }\n${platform}static_nodes: {}\n`,
  'merge key order': `base: &b { platform: demo, v: x }\nstatic_nodes:\n  n1:\n    <<: *b\n    v: y\n${platform}`,
  'merge key in a flow mapping': `static_nodes:\n  n1: { <<: x, platform: demo }\n${platform}`,
  'quoted merge key': `static_nodes:\n  n1: { platform: demo }\n  n2:\n    '<<': { platform: demo }\n${platform}`,
  'an anchor on a value': `static_nodes:\n  n1: { platform: &p demo }\n${platform}`,
  'an anchor on a mapping': `static_nodes: &nodes\n  n1: { platform: demo }\n${platform}`,
  'an alias': `static_nodes:\n  n1: { platform: demo, v: *x }\n${platform}`,
  tags: `static_nodes:\n  n1: { platform: demo, v: !!int "7" }\n${platform}`,
  'a timestamp tag': `static_nodes:\n  n1: { platform: demo, v: !!timestamp 2001-12-14 }\n${platform}`,
  'YAML 1.1 directive': `%YAML 1.1\n---\nstatic_nodes:\n  n1: { platform: demo, v: 017 }\n${platform}`,
  'two documents': `static_nodes:\n  n1: { platform: demo }\n${platform}---\nstatic_nodes: {}\n`,
  'null key': `static_nodes:\n  n1: { platform: demo }\n  ~: { platform: demo }\n${platform}`,
  'integer key': `static_nodes:\n  1: { platform: demo }\n${platform}`,
  'boolean key in a flow mapping': `static_nodes:\n  n1: { platform: demo, true: x }\n${platform}`,
  'complex key': `static_nodes:\n  ? [a, b]\n  : { platform: demo }\n${platform}`,
  'key over 1024 characters': `static_nodes:\n  ${'n'.repeat(1100)}: { platform: demo }\n${platform}`,
  __proto__: `static_nodes:\n  n1: { platform: demo }\n  __proto__: { platform: demo }\n${platform}`,
  'quoted __proto__ in a flow mapping': `static_nodes:\n  n1: { platform: demo, '__proto__': x }\n${platform}`,
  'tab as indentation': `static_nodes:\n\tn1: { platform: demo }\n${platform}`,
  'a key under a literal, less indented than its text': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables: [name]\n    status: |\n      exit 0\n     power_on: exit 0\n`,
  'a key after a literal, at no open indent': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables: [name]\n    status: |\n      exit 0\n   power_on: exit 0\n`,
  'a list at the same indent as its key': `static_nodes:\n  n1: { platform: demo }\nplatforms:\n  demo:\n    variables:\n    - name\n    status: exit 0\n`,
  'a mapping in a block list item': `static_nodes:\n  n1: { platform: demo }\ngroups:\n  g:\n    - nodes: n1\n${platform}`,
  'a list in a list item': `static_nodes:\n  n1: { platform: demo }\ngroups:\n  g:\n    - - n1\n${platform}`,
  'an empty list item': `static_nodes:\n  n1: { platform: demo }\ngroups:\n  g:\n    -\n${platform}`,
  'a flow mapping inside a flow mapping': `static_nodes:\n  n1: { platform: demo, v: { a: b } }\n${platform}`,
  'a flow list inside a flow mapping': `static_nodes:\n  n1: { platform: demo, v: [a] }\n${platform}`,
  'a flow mapping over two lines': `static_nodes:\n  n1: { platform: demo,\n    v: x }\n${platform}`,
  'a plain scalar over two lines': `static_nodes:\n  n1:\n    platform: demo\n    v: one\n      two\n${platform}`,
  'an escape in double quotes': `static_nodes:\n  n1: { platform: demo, v: "a\\tb" }\n${platform}`,
  'folded block scalar': `static_nodes:\n  n1: { platform: demo }\n${platform}    power_off: >\n      exit 0\n`,
  'keep chomping': `static_nodes:\n  n1: { platform: demo }\n${platform}    power_off: |+\n      exit 0\n`,
  'a clipped literal at the end without a final newline': `static_nodes:\n  n1: { platform: demo }\n${platform}    power_off: |\n      exit 0`,
  'CRLF line ends': `static_nodes:\r\n  n1: { platform: demo }\r\n${platform.replaceAll('\n', '\r\n')}`,
  'an empty file': '',
  'a list at the top': '- a\n- b\n',
}

describe('constructs outside the subset take the yaml library', () => {
  test.each(Object.keys(DECLINED))('%s', (name) => {
    const text = DECLINED[name] as string
    expect(readYamlSubset(text)).toBeUndefined()
    expect(differential(text)).toBe(false)
  })

  test('a duplicate key is reported by the loader, with its line', () => {
    const text = DECLINED['duplicate key'] as string
    expect(() => parseTopology(text, 'dup.yaml')).toThrow(
      'Cannot load topology "dup.yaml": line 3: duplicate key "n1": each name may appear once',
    )
  })
})

/** Tricky texts inside the subset, with the value the `yaml` library gives them. */
const ACCEPTED: Record<string, { text: string; value: unknown }> = {
  'quoted keys, block and flow': {
    text: `'a b': 1\n"c:d": { 'e f': x, "g": y }\n`,
    value: { 'a b': 1, 'c:d': { 'e f': 'x', g: 'y' } },
  },
  "'' inside single quotes, in keys and values": {
    text: `'it''s': 'don''t'\nv: { 'a''b': '''' }\nw: ['x''y', '']\n`,
    value: { "it's": "don't", v: { "a'b": "'" }, w: ["x'y", ''] },
  },
  'double quotes holding single ones and #': {
    text: `a: "it's #1"\nb: 'say "hi" # not a comment'\n`,
    value: { a: "it's #1", b: 'say "hi" # not a comment' },
  },
  'comments after values, keys and flow collections': {
    text: `a: x # c\nb: x#y # c\nc: # c\n  d: [1, 2] # c\n  e: { f: g } # c\n  h: 'q' # c\n`,
    value: { a: 'x', b: 'x#y', c: { d: [1, 2], e: { f: 'g' }, h: 'q' } },
  },
  '| and |- with empty lines inside and after': {
    text: `a: |\n  one\n\n  two\n\n\nb: |-\n  one\n\n  two\n\n\nc: x\n`,
    value: { a: 'one\n\ntwo\n', b: 'one\n\ntwo', c: 'x' },
  },
  'a literal with more-indented lines, leading empty lines and a comment-like line': {
    text: `a: |-\n\n  # not a comment\n    indented\n  back\n# a comment\nb: x\n`,
    value: { a: '\n# not a comment\n  indented\nback', b: 'x' },
  },
  'a literal ending the file with |-, without a final newline': {
    text: `a: |-\n  exit 0`,
    value: { a: 'exit 0' },
  },
  'empty flow collections': {
    text: `a: {}\nb: []\nc: { }\nd: [ ]\n`,
    value: { a: {}, b: [], c: {}, d: [] },
  },
  'empty values are null, nested or last': {
    text: `a:\nb:\n  c:\n  d: # c\ne:\n`,
    value: { a: null, b: { c: null, d: null }, e: null },
  },
  'lists of flow mappings and lists nested in mappings': {
    text: `a:\n  b:\n    - { c: 1, d: 'y' }\n    - [p, q]\n    - r\n  e:\n    f:\n      - 1\n`,
    value: { a: { b: [{ c: 1, d: 'y' }, ['p', 'q'], 'r'], e: { f: [1] } } },
  },
  'core-schema scalars, plain and quoted': {
    text: `a: [~, null, true, False, 0x1F, 0o17, 017, 1e3, -.inf, .nan, '1', "true", yes]\n`,
    value: {
      a: [null, null, true, false, 31, 15, 17, 1000, -Infinity, NaN, '1', 'true', 'yes'],
    },
  },
  'integer-like string keys, in the order JavaScript gives them': {
    text: `b: 1\n'2': 2\na: 3\n'1': 4\n`,
    value: { '1': 4, '2': 2, b: 1, a: 3 },
  },
  'keys that only look special': {
    text: `a:b: 1\n'~': 2\nconstructor: 3\ntoString: 4\n_proto_: 5\n<: 6\n`,
    value: { 'a:b': 1, '~': 2, constructor: 3, toString: 4, _proto_: 5, '<': 6 },
  },
}

describe('tricky texts inside the subset read as the yaml library reads them', () => {
  test.each(Object.keys(ACCEPTED))('%s', (name) => {
    const { text, value } = ACCEPTED[name] as { text: string; value: unknown }
    expect(canonical(parseYaml(text).value)).toEqual(canonical(value))
    expect(canonical(readYamlSubset(text)?.value)).toEqual(canonical(value))
    expect(differential(text)).toBe(true)
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
        if (differential(text)) {
          fast++
          expectBunAgrees(text)
        }
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

/** Every character YAML gives a meaning to, and a few scalars, to insert at random. */
const PIECES = [' ', '  ', '\n', ':', ': ', '-', '- ', '#', ' #', "'", '"', '{', '}', '[', ']']
PIECES.push(',', '|', '|-', '>', '&', '*', '!', '?', '<<', '0', '~', 'true', '.', '\t', 'x: y')
PIECES.push('\n  ', '\n    ', '\n- ')

/** `text` with one to three random edits: a piece inserted, characters cut, a line repeated. */
function mutate(text: string, random: () => number): string {
  const edits = 1 + Math.floor(random() * 3)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * text.length)
    const kind = random()
    if (kind < 0.4) {
      const piece = PIECES[Math.floor(random() * PIECES.length)] as string
      text = text.slice(0, at) + piece + text.slice(at)
    } else if (kind < 0.7) {
      text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3))
    } else {
      const lines = text.split('\n')
      const line = lines[Math.floor(random() * lines.length)] as string
      lines.splice(Math.floor(random() * lines.length), 0, line)
      text = lines.join('\n')
    }
  }
  return text
}

describe('mutated topologies (seeded)', () => {
  test('600 edits of the demo topology and a dense file read alike wherever they stay fast', () => {
    const dense = `a:\n  b: |\n    x\n\n    y\n  c: |-\n    z\n\n  d: [1, 'a''b', "c"]\n  e: { f: g, 'h': ~ }\n  l:\n    - 1\n    - x\n    - { a: b }\n${platform}`
    const bases = [readFileSync(join(root, 'etc/demo/topology.yaml'), 'utf8'), dense]
    const random = randomSource(7)
    let fast = 0
    for (let i = 0; i < 600; i++) {
      const text = mutate(bases[i % bases.length] as string, random)
      try {
        if (differential(text)) fast++
      } catch (error) {
        throw new Error(`mutation ${i} differs:\n${text}`, { cause: error })
      }
    }
    // Most edits break the file or leave the subset; enough stay inside it to test the reader.
    console.log(`mutated topologies: ${fast} of 600 took the fast path`)
    expect(fast).toBeGreaterThan(60)
  }, 120_000)
})
