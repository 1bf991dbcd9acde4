import { describe, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TopologyError } from './errors.ts'
import { loadTopology, parseTopology } from './load.ts'
import { problemsOf } from './testing.ts'
import { MissingVariableError, nodeEnvironment } from './node-environment.ts'
import { nodeWarnings } from './warnings.ts'

const fixture = new URL('../../test/fixtures/power-server-1.0-topology.yaml', import.meta.url)
  .pathname

const platform = `platforms:
  demo:
    variables: [name]
    power_on: exit 0
    status: exit 0
`

describe('power-server 1.0 topology', () => {
  test('loads unchanged with the same meaning', async () => {
    const topology = await loadTopology(fixture)
    expect([...topology.nodes.keys()]).toEqual(['node01', 'node02', 'node03'])
    expect([...topology.platforms.keys()]).toEqual(['ipmi', 'aws', 'azure'])
    const node03 = topology.nodes.get('node03')
    expect(node03?.platform).toBe('ipmi')
    expect(node03?.variables).toEqual({
      ipmi_username: 'admin',
      ipmi_password: 'adminpass',
      name: 'node03',
    })
    expect(topology.platforms.get('aws')?.statusOffExitCode).toBe(123)
    expect(topology.platforms.get('ipmi')?.statusOffExitCode).toBe(111)
    expect(topology.platforms.get('azure')?.variables).toEqual(['resource_group', 'name'])
    expect(topology.platforms.get('ipmi')?.scripts.status).toContain('exit 111\n')
    expect(topology.groups.get('all')).toEqual(['node01', 'node02', 'node03'])
  })

  test('an older file with "nodes:" instead of "static_nodes:" loads too', () => {
    const topology = parseTopology(`nodes:\n  a1: { platform: demo }\n${platform}`)
    expect([...topology.nodes.keys()]).toEqual(['a1'])
  })

  test('a missing file names the path', async () => {
    const error = await loadTopology('/nonexistent/topology.yaml').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TopologyError)
    expect((error as Error).message).toBe(
      'Cannot load topology "/nonexistent/topology.yaml": no such file',
    )
  })
})

describe('additions', () => {
  test('groups expand hostlists over defined nodes, in natural order', () => {
    const topology = parseTopology(`static_nodes:
  n1: { platform: demo }
  n2: { platform: demo }
  n10: { platform: demo }
groups:
  odd: n[1,10]
  both: [n2, n1]
${platform}`)
    expect(topology.groups.get('odd')).toEqual(['n1', 'n10'])
    expect(topology.groups.get('both')).toEqual(['n1', 'n2'])
    expect(topology.groups.get('all')).toEqual(['n1', 'n2', 'n10'])
  })

  test('groups may name other groups; a cycle is an error naming it', () => {
    const topology = parseTopology(`static_nodes:
  n1: { platform: demo }
  n2: { platform: demo }
  n3: { platform: demo }
groups:
  compute: ['@rack1', '@rack2', n3]
  rack1: n1
  rack2: n2
  everyone: '@all'
${platform}`)
    expect(topology.groups.get('compute')).toEqual(['n1', 'n2', 'n3'])
    expect(topology.groups.get('everyone')).toEqual(['n1', 'n2', 'n3'])
    expect(
      problemsOf(
        `static_nodes:\n  n1: { platform: demo }\ngroups:\n  a: '@b'\n  b: 'n1,@a'\n${platform}`,
      ),
    ).toEqual(['4: groups.a: includes itself: @a → @b → @a'])
  })

  test('timeouts per platform: one number or per action', () => {
    const topology = parseTopology(`platforms:
  a: { timeout: 5, status: exit 0 }
  b: { timeout: { status: 2.5 }, status: exit 0 }
`)
    expect(topology.platforms.get('a')?.timeouts).toEqual({
      power_on: 5,
      power_off: 5,
      restart: 5,
      status: 5,
      power_cycle: 5,
      shutdown: 5,
      identify: 5,
      bootdev: 5,
    })
    expect(topology.platforms.get('b')?.timeouts.status).toBe(2.5)
    expect(topology.platforms.get('b')?.timeouts.power_on).toBe(60)
  })

  test('platform defaults make listed variables optional for nodes', () => {
    const topology = parseTopology(`static_nodes:
  n1: { platform: ipmi, ipmi_port: 6230 }
  n2: { platform: ipmi }
platforms:
  ipmi:
    variables: [name, ipmi_port]
    defaults: { ipmi_port: 623 }
`)
    const ipmi = topology.platforms.get('ipmi')!
    expect(nodeEnvironment(topology.nodes.get('n1')!, ipmi)).toEqual({
      name: 'n1',
      ipmi_port: '6230',
    })
    expect(nodeEnvironment(topology.nodes.get('n2')!, ipmi)).toEqual({
      name: 'n2',
      ipmi_port: '623',
    })
    expect(problemsOf(`platforms:\n  p:\n    variables: [a]\n    defaults: { b: 1 }\n`)).toEqual([
      '4: platforms.p.defaults.b: has a default but is not listed in "variables"',
    ])
  })

  test('a node lacking a listed variable without default fails before anything runs', () => {
    const topology = parseTopology(
      `static_nodes:\n  node03: { platform: ipmi }\nplatforms:\n  ipmi: { variables: [name, ipmi_username] }\n`,
    )
    expect(() =>
      nodeEnvironment(topology.nodes.get('node03')!, topology.platforms.get('ipmi')!),
    ).toThrow(new MissingVariableError('node03', 'ipmi_username'))
    expect(nodeWarnings(topology.nodes.values(), topology.platforms)).toEqual([
      'node03: variable "ipmi_username" is not set: its actions will fail until it is set',
    ])
  })

  test('names that differ only in case are a warning: DNS would make them one machine', () => {
    const topology = parseTopology(
      `static_nodes:\n  node01: { platform: demo }\n  Node01: { platform: demo }\n${platform}`,
    )
    expect(nodeWarnings(topology.nodes.values(), topology.platforms)).toEqual([
      'node01 and Node01 differ only in case: they may be one machine',
    ])
  })

  test('numbers, booleans and empty values become the strings a script sees', () => {
    const topology = parseTopology(`static_nodes:
  n1: { platform: demo, port: 623, lanplus: true, password: }
${platform}`)
    expect(topology.nodes.get('n1')?.variables).toEqual({
      port: '623',
      lanplus: 'true',
      password: '',
      name: 'n1',
    })
  })

  test('YAML anchors and merge keys work as they did under Ruby', () => {
    const topology = parseTopology(`static_nodes:
  n1: &defaults { platform: demo, region: eu }
  n2: { <<: *defaults, region: us }
${platform}`)
    expect(topology.nodes.get('n2')).toEqual({
      name: 'n2',
      platform: 'demo',
      variables: { region: 'us', name: 'n2' },
    })
  })
})

describe('broken topologies name the line and key', () => {
  test('bad YAML', () => {
    expect(problemsOf('static_nodes:\n  n1: { platform: demo\nplatforms: {}\n')[0]).toMatch(
      /^3: : invalid YAML/,
    )
  })

  test('unknown top-level key, with a suggestion', () => {
    expect(problemsOf(`platfroms: {}\n${platform}`)).toEqual([
      '1: platfroms: unknown key: did you mean "platforms"?',
    ])
  })

  test('unknown platform key', () => {
    expect(problemsOf(`${platform}    power_onn: exit 0\n`)).toEqual([
      '6: platforms.demo.power_onn: unknown key: did you mean "power_on"?',
    ])
  })

  test('a node on an undefined platform', () => {
    expect(problemsOf(`static_nodes:\n  n1:\n    platform: dmeo\n${platform}`)).toEqual([
      '3: static_nodes.n1.platform: platform "dmeo" is not defined: did you mean "demo"?',
    ])
  })

  test('a platform script that is not a string', () => {
    expect(problemsOf(`platforms:\n  demo:\n    status: [exit, 0]\n`)).toEqual([
      '3: platforms.demo.status: must be a string holding a bash script',
    ])
  })

  test('a duplicate node', () => {
    const problems = problemsOf(
      `static_nodes:\n  n1: { platform: demo }\n  n1: { platform: demo }\n${platform}`,
    )
    expect(problems).toEqual(['3: : duplicate key "n1": each name may appear once'])
  })

  test('an invalid node name', () => {
    expect(problemsOf(`static_nodes:\n  "n1;reboot": { platform: demo }\n${platform}`)).toEqual([
      '2: static_nodes.n1;reboot: invalid node name "n1;reboot": names may hold letters, digits, ".", "_" and "-"',
    ])
  })

  test('every problem is reported, not just the first', () => {
    const problems = problemsOf(`static_nodes:
  n1: { platform: nope }
  n2: { ec2_id: x }
  n3: { platform: demo, name: other, tags: [a] }
platforms:
  demo: { status_off_exit_code: 0, timeout: -1, variables: [ok, "bad-name"] }
groups:
  g: n[1-5]
`)
    // In line order (issue 15), as an administrator fixes them top to bottom.
    expect(problems).toEqual([
      '2: static_nodes.n1.platform: platform "nope" is not defined',
      '3: static_nodes.n2: has no "platform"',
      "4: static_nodes.n3.name: a node's name is its key and cannot be set",
      '4: static_nodes.n3.tags: must be a plain value (string, number or boolean), not a list or mapping',
      '6: platforms.demo.variables.1: "bad-name" is not a valid shell variable name',
      '6: platforms.demo.status_off_exit_code: must be a whole number from 1 to 255 (0 means "on")',
      '6: platforms.demo.timeout: must be a number of seconds above 0 and at most 86400, or a mapping of actions to such numbers',
      '8: groups.g: names nodes that are not defined: n[4-5]',
    ])
  })

  test('a duplicate key anywhere, e.g. two status scripts, is found too', () => {
    expect(problemsOf('platforms:\n  demo:\n    status: exit 0\n    status: exit 1\n')).toEqual([
      '4: : duplicate key "status": each name may appear once',
    ])
  })

  test('keys YAML reads as the same number are duplicates, named as written', () => {
    expect(
      problemsOf(`static_nodes:\n  1: { platform: demo }\n  01: { platform: demo }\n${platform}`),
    ).toEqual(['3: : duplicate key "01": each name may appear once'])
  })

  test('an alias bomb is a bad file, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 7; i++) {
      const previous = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    expect(
      problemsOf(`static_nodes: {}\nbomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n${platform}`),
    ).toEqual(['1: : invalid YAML: Excessive alias count indicates a resource exhaustion attack'])
  })

  test('platforms is required and the file must be a mapping', () => {
    expect(problemsOf('static_nodes: {}\n')).toEqual([
      '1: platforms: is required: define at least one platform',
    ])
    expect(problemsOf('- just\n- a list\n')).toEqual([
      '1: : the file must be a mapping with "platforms" and "static_nodes"',
    ])
  })

  test('a group with bad hostlist syntax', () => {
    expect(problemsOf(`groups:\n  g: n[1-\n${platform}`)[0]).toMatch(/^2: groups\.g: .*n\[1-/)
  })
})

test('loadTopology reads from disk and reports the path in errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'topology-'))
  const path = join(dir, 'topology.yaml')
  writeFileSync(path, 'platforms:\n  demo:\n    status: 1\n')
  const error = await loadTopology(path).catch((e: unknown) => e)
  expect((error as Error).message).toBe(
    `Cannot load topology "${path}": line 3: platforms.demo.status: must be a string holding a bash script`,
  )
})
