import { describe as group, expect, test } from 'bun:test'
import {
  describeResult,
  renderJson,
  renderSummary,
  renderTable,
  sortRows,
  wantColour,
} from './format.ts'
import type { WaitResult } from './wait.ts'
import type { NodeResult } from './wire.ts'

function node(name: string, fields: Partial<NodeResult> = {}): NodeResult {
  return {
    name,
    platform: 'aws',
    missing: false,
    success: true,
    state: null,
    exitCode: 0,
    durationMs: 5,
    message: null,
    ...fields,
  }
}

const statusResults = [
  node('node10', { state: 'on' }),
  node('node2', { state: 'off', exitCode: 111 }),
  node('node1', { state: 'on' }),
  node('node3', { state: 'unknown', success: false, exitCode: 1, message: 'bmc unreachable' }),
  node('node99', {
    missing: true,
    platform: null,
    success: false,
    exitCode: null,
    durationMs: null,
  }),
]
const plain = { colour: false }

group('words', () => {
  test('status, as power-client said it', () => {
    const rows = sortRows(statusResults.map((result) => describeResult('status', result)))
    expect(renderTable(rows, plain)).toBe(
      [
        'node1   On',
        'node2   Off',
        'node3   Unknown: bmc unreachable',
        'node10  On',
        'node99  Missing: not known to the server',
        '',
      ].join('\n'),
    )
  })

  test('power actions: started or failed with the message', () => {
    const ok = node('n1')
    const bad = node('n2', { success: false, exitCode: 1, message: 'ipmitool: timeout' })
    const words = (action: 'power_on' | 'power_off' | 'restart') =>
      [ok, bad]
        .map((result) => describeResult(action, result))
        .map((row) => `${row.word}|${row.detail}`)
    expect(words('power_on')).toEqual(['Starting|null', 'Failed to start|ipmitool: timeout'])
    expect(words('power_off')).toEqual(['Stopping|null', 'Failed to stop|ipmitool: timeout'])
    expect(words('restart')).toEqual(['Restarting|null', 'Failed to restart|ipmitool: timeout'])
  })

  test('after --wait: the state reached, or what it still is', () => {
    const wait: WaitResult = {
      target: 'on',
      timeoutMs: 120_000,
      nodes: new Map([
        ['a', { reached: true, last: node('a', { state: 'on' }) }],
        ['b', { reached: false, last: node('b', { state: 'off' }) }],
        ['c', { reached: false, last: node('c', { state: 'unknown', message: 'no answer' }) }],
      ]),
    }
    const rows = ['a', 'b', 'c'].map((name) => describeResult('power_on', node(name), wait))
    expect(renderTable(rows, plain)).toBe(
      'a  On\nb  Still off: gave up after 120s\nc  Still unknown: gave up after 120s: no answer\n',
    )
  })
})

group('renderSummary', () => {
  test('folds each outcome into ranges, good first, missing last', () => {
    const results = [
      ...['node01', 'node02', 'node03', 'node05', 'node07'].map((name) =>
        node(name, { state: 'on' }),
      ),
      node('node04', { state: 'off' }),
      node('node06', { state: 'unknown', success: false }),
      node('node99', { missing: true }),
    ]
    const rows = results.map((result) => describeResult('status', result))
    expect(renderSummary(rows, plain)).toBe(
      'on: node[01-03,05,07]\noff: node04\nunknown: node06\nmissing: node99\n',
    )
  })
})

group('renderJson', () => {
  test('the documented shape, in natural order, nulls kept', () => {
    const doc = JSON.parse(renderJson('status', statusResults, { exitCode: 1 }))
    expect(doc.action).toBe('status')
    expect(doc.exitCode).toBe(1)
    expect(doc.nodes.map((n: { name: string }) => n.name)).toEqual([
      'node1',
      'node2',
      'node3',
      'node10',
      'node99',
    ])
    expect(doc.nodes[4]).toEqual({
      name: 'node99',
      platform: null,
      missing: true,
      success: false,
      state: null,
      exitCode: null,
      durationMs: null,
      message: null,
    })
    expect(Object.keys(doc)).toEqual(['action', 'nodes', 'exitCode'])
  })

  test('with --wait: reached, the last state, and the target', () => {
    const wait: WaitResult = {
      target: 'off',
      timeoutMs: 5000,
      nodes: new Map([['n1', { reached: true, last: node('n1', { state: 'off' }) }]]),
    }
    const doc = JSON.parse(renderJson('power_off', [node('n1')], { exitCode: 0, wait }))
    expect(doc).toMatchObject({
      action: 'off',
      wait: { target: 'off', timeoutSeconds: 5 },
      exitCode: 0,
    })
    expect(doc.nodes[0]).toMatchObject({ name: 'n1', state: 'off', reached: true })
  })
})

group('colour', () => {
  test('only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    expect(wantColour(true, {})).toBe(true)
    expect(wantColour(false, {})).toBe(false)
    expect(wantColour(true, { NO_COLOR: '1' })).toBe(false)
    expect(wantColour(true, { NO_COLOR: '' })).toBe(true)
    expect(wantColour(true, { TERM: 'dumb' })).toBe(false)
  })

  test('colours the word, not the padding', () => {
    const rows = [
      describeResult('status', node('n1', { state: 'on' })),
      describeResult('status', node('node2', { state: 'off' })),
    ]
    expect(renderTable(rows, { colour: true })).toBe(
      'n1     \u001b[32mOn\u001b[0m\nnode2  \u001b[33mOff\u001b[0m\n',
    )
  })
})

group('the newer actions', () => {
  test('shutdown says which nodes were forced off, and why', () => {
    expect(describeResult('shutdown', node('n1', { forced: false }))).toMatchObject({
      word: 'Shutting down',
      detail: null,
    })
    expect(describeResult('shutdown', node('n2', { forced: true }))).toMatchObject({
      word: 'Powered off',
      detail: 'it did not shut down in time',
    })
    expect(describeResult('bootdev', node('n3', { success: false, message: 'no' }))).toMatchObject({
      word: 'Failed to set boot device',
      detail: 'no',
      tone: 'bad',
    })
  })
})
