import { expect, test } from 'bun:test'
import { TargetError } from './errors.ts'
import { checkTargets } from './targets.ts'

test('arguments join into one nodes expression; @group terms go to the server as they are', () => {
  expect(checkTargets(['node[01-03]', '@gpu,login1'])).toEqual({
    query: { nodes: 'node[01-03],@gpu,login1' },
    names: ['node01', 'node02', 'node03', 'login1'],
    groups: ['gpu'],
  })
})

test('--groups reads every argument as a group name, a habitual @ forgiven', () => {
  expect(checkTargets(['rack[1-2]', '@gpu'], { groups: true })).toEqual({
    query: { groups: 'rack[1-2],gpu' },
    names: [],
    groups: ['rack1', 'rack2', 'gpu'],
  })
})

test('bad syntax is a TargetError (exit 2) before any request', () => {
  for (const bad of ['node[01-', 'node[3-1]', 'no de', '@']) {
    const attempt = () => checkTargets([bad])
    expect(attempt).toThrow(TargetError)
    try {
      attempt()
    } catch (error) {
      expect((error as TargetError).exitCode).toBe(2)
    }
  }
  expect(() => checkTargets(['node[01-'])).toThrow('Invalid hostlist "node[01-": unbalanced "["')
  expect(() => checkTargets([' '])).toThrow('No targets given')
})
