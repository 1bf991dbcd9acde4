import { expect, test } from 'bun:test'
import { ServerResponseError } from './errors.ts'
import { parseCommandResults, parseGroupList, parseNodeList } from './wire.ts'

const old = (attributes: Record<string, unknown>) => ({
  data: [
    {
      type: 'commands',
      id: 'node01',
      attributes: {
        action: 'status',
        'node-name': 'node01',
        platform: 'aws',
        missing: false,
        ...attributes,
      },
    },
  ],
})

test("power-server 1.0's status: state derived from success and running", () => {
  const state = (success: boolean, running: boolean) =>
    parseCommandResults(old({ success, running }), 'status')[0]!.state
  expect(state(true, true)).toBe('on')
  expect(state(true, false)).toBe('off')
  expect(state(false, false)).toBe('unknown')
  const [result] = parseCommandResults(old({ success: true, running: true }), 'status')
  expect(result).toEqual({
    name: 'node01',
    platform: 'aws',
    missing: false,
    success: true,
    state: 'on',
    exitCode: null,
    durationMs: null,
    message: null,
  })
})

test("flight-power's extra attributes are used; a sent state wins", () => {
  const doc = old({
    success: true,
    running: true,
    state: 'off',
    'exit-code': 111,
    'duration-ms': 12,
    message: 'line\u001b[2Jone',
  })
  expect(parseCommandResults(doc, 'status')[0]).toMatchObject({
    state: 'off',
    exitCode: 111,
    durationMs: 12,
    message: 'line [2Jone',
  })
})

test('a missing node has no state; a power action on an old server has none either', () => {
  expect(
    parseCommandResults(old({ missing: true, success: false, running: false }), 'status')[0]!.state,
  ).toBeNull()
  expect(
    parseCommandResults(old({ success: true, running: false }), 'power_on')[0]!.state,
  ).toBeNull()
})

test('a reply of another shape is a ServerResponseError naming the field', () => {
  expect(() => parseCommandResults({ data: {} }, 'status')).toThrow(ServerResponseError)
  expect(() => parseCommandResults(old({ running: true }), 'status')).toThrow(
    'data[0].attributes.success: expected true or false',
  )
})

test('nodes and groups lists', () => {
  expect(
    parseNodeList({
      data: [
        { type: 'nodes', id: 'n1', attributes: { name: 'n1', platform: 'ipmi' } },
        { type: 'nodes', id: 'n2' },
      ],
    }),
  ).toEqual([
    { name: 'n1', platform: 'ipmi' },
    { name: 'n2', platform: null },
  ])
  expect(
    parseGroupList({
      data: [
        { type: 'groups', id: 'g', attributes: { name: 'g', nodes: ['a', 'b'] } },
        { id: 'h', attributes: { nodes: 'c,d' } },
      ],
    }),
  ).toEqual([
    { name: 'g', nodes: ['a', 'b'] },
    { name: 'h', nodes: ['c', 'd'] },
  ])
})
