import { describe, expect, test } from 'bun:test'
import {
  DEFAULT_EXPANSION_LIMIT,
  HostlistError,
  compareNatural,
  expandHostlist,
  foldHostlist,
  isValidNodeName,
} from './hostlist.ts'

function range(prefix: string, from: number, to: number, width = 0): string[] {
  const names: string[] = []
  for (let n = from; n <= to; n++) names.push(prefix + String(n).padStart(width, '0'))
  return names
}

function expectError(expression: string, detail: string | RegExp, options = {}): HostlistError {
  let caught: unknown
  try {
    expandHostlist(expression, options)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(HostlistError)
  const error = caught as HostlistError
  expect(error.code).toBe('ERR_HOSTLIST')
  expect(error.expression).toBe(expression)
  expect(error.message).toMatch(detail)
  return error
}

describe('expandHostlist', () => {
  test('single names and comma lists', () => {
    expect(expandHostlist('node01')).toEqual(['node01'])
    expect(expandHostlist('a,b[1-3]')).toEqual(['a', 'b1', 'b2', 'b3'])
    expect(expandHostlist(' a , b ')).toEqual(['a', 'b'])
    expect(expandHostlist('my-node_1.cluster')).toEqual(['my-node_1.cluster'])
  })

  test('ranges and lists in brackets', () => {
    expect(expandHostlist('node[01-10,15]')).toEqual([...range('node', 1, 10, 2), 'node15'])
    expect(expandHostlist('[1-3]')).toEqual(['1', '2', '3'])
    expect(expandHostlist('n[1-2]-ib')).toEqual(['n1-ib', 'n2-ib'])
  })

  test('several brackets give the cartesian product in order', () => {
    expect(expandHostlist('rack[1-2]n[01-04]')).toEqual([
      ...range('rack1n', 1, 4, 2),
      ...range('rack2n', 1, 4, 2),
    ])
  })

  test('zero padding follows the low bound', () => {
    expect(expandHostlist('node[01-10]')).toEqual(range('node', 1, 10, 2))
    expect(expandHostlist('node[001-1000]')).toEqual([...range('node', 1, 999, 3), 'node1000'])
    expect(expandHostlist('node[0-3]')).toEqual(range('node', 0, 3))
    expect(expandHostlist('node[8-10]')).toEqual(['node8', 'node9', 'node10'])
    expect(expandHostlist('node[07]')).toEqual(['node07'])
    expect(expandHostlist('node[7]')).toEqual(['node7'])
    expect(expandHostlist('node[00-01]')).toEqual(['node00', 'node01'])
    expect(expandHostlist('node[1-010]')).toEqual(range('node', 1, 10))
  })

  test('duplicates are removed, first seen first', () => {
    expect(expandHostlist('b,a,b,node[1-3],node[2-4]')).toEqual(['b', 'a', ...range('node', 1, 4)])
    expect(expandHostlist('node1,node01')).toEqual(['node1', 'node01'])
  })

  test('groups', () => {
    const groups: Record<string, string[]> = { gpu: ['gpu1', 'gpu2'], empty: [] }
    const resolveGroup = (name: string) => groups[name]
    expect(expandHostlist('@gpu', { resolveGroup })).toEqual(['gpu1', 'gpu2'])
    expect(expandHostlist('a,@gpu,gpu1,b', { resolveGroup })).toEqual(['a', 'gpu1', 'gpu2', 'b'])
    expect(expandHostlist('@empty,a', { resolveGroup })).toEqual(['a'])
    expectError('a,@nope', 'Unknown group "nope" in hostlist "a,@nope"', { resolveGroup })
    expectError('@gpu', /Unknown group "gpu".*no groups are defined/)
    expectError('@', 'invalid group name ""', { resolveGroup })
    expectError('@bad', 'invalid node name "x y"', { resolveGroup: () => ['x y'] })
  })

  test('malformed expressions are errors', () => {
    expectError('node[1-', 'Invalid hostlist "node[1-": unbalanced "["')
    expectError('node1-2]', 'unbalanced "]"')
    expectError('node[1[2]]', 'nested "["')
    expectError('node[]', 'empty brackets')
    expectError('node[1,,2]', 'empty range in "[1,,2]"')
    expectError('node[5-1]', 'reversed range "5-1"')
    expectError('node[a-3]', 'invalid range "a-3"')
    expectError('node[1 -2]', 'invalid range "1 -2"')
    expectError('node[1-2-3]', 'invalid range "1-2-3"')
    expectError('node[-1]', 'invalid range "-1"')
    expectError('no de', 'invalid character " "')
    expectError('node*', 'invalid character "*"')
    expectError('a@b', 'invalid character "@"')
    expectError('node[1234567890123456]', 'number "1234567890123456" is longer than 15 digits')
    expectError('node[1-1234567890123456]', 'longer than 15 digits')
  })

  test('empty terms are errors', () => {
    for (const expression of ['', '  ', 'a,,b', ',a', 'a,', 'a, ,b']) {
      expectError(expression, 'empty term')
    }
  })

  // How fast is bench/hostlist.ts's to say; a quadratic or materialising step here would hang
  // this test past its timeout rather than pass.
  test('the limit is counted before anything is materialised', () => {
    expectError('node[1-99999999]', `expands to more than ${DEFAULT_EXPANSION_LIMIT} names`)
    expectError('a[1-9999]b[1-9999]', 'expands to more than')
    expectError('a[1-999999999999999]b[1-999999999999999]c[1-999999999999999]', 'more than')
    expectError('node[1-60000],other[1-60000]', 'more than')
    expect(expandHostlist('node[1-100000]')).toHaveLength(DEFAULT_EXPANSION_LIMIT)
    expect(expandHostlist('node[1-3]', { limit: 3 })).toHaveLength(3)
    expectError('node[1-4]', 'expands to more than 3 names', { limit: 3 })
    expectError('@big', 'more than 2', { limit: 2, resolveGroup: () => ['a', 'b', 'c'] })
    expect(() => expandHostlist('a', { limit: -1 })).toThrow(RangeError)
  })

  test('expands 100,000 names', () => {
    const names = expandHostlist('rack[01-100]n[0001-1000]')
    expect(names).toHaveLength(100_000)
    expect([names[0], names[999], names[1000], names.at(-1)]).toEqual([
      'rack01n0001',
      'rack01n1000',
      'rack02n0001',
      'rack100n1000',
    ])
  })
})

describe('foldHostlist', () => {
  test('folds runs into ranges', () => {
    expect(foldHostlist(['node01', 'node02', 'node03', 'node05'])).toBe('node[01-03,05]')
    expect(foldHostlist(['node04', 'gpu2', 'node02', 'gpu1'])).toBe('gpu[1-2],node[02,04]')
    expect(foldHostlist(['node5', 'node07'])).toBe('node[5,07]')
    expect(foldHostlist([])).toBe('')
  })

  test('single numbers and names without digits stay as they are', () => {
    expect(foldHostlist(['node05'])).toBe('node05')
    expect(foldHostlist(['login', 'node1', 'admin'])).toBe('admin,login,node1')
    expect(foldHostlist(['node', 'node1', 'node2'])).toBe('node,node[1-2]')
  })

  test('folds around the last digit run', () => {
    expect(foldHostlist(['rack1n01', 'rack1n02', 'rack2n01'])).toBe('rack1n[01-02],rack2n01')
    expect(foldHostlist(['n1-ib', 'n2-ib', 'n3-ib'])).toBe('n[1-3]-ib')
  })

  test('padded and unpadded names round-trip exactly', () => {
    expect(foldHostlist(['node8', 'node9', 'node10'])).toBe('node[8-10]')
    expect(foldHostlist(['node08', 'node09', 'node10'])).toBe('node[08-10]')
    expect(foldHostlist(['node1', 'node01'])).toBe('node[1,01]')
    expect(foldHostlist(['node008', 'node10'])).toBe('node[008,10]')
    expect(foldHostlist(['node0', 'node00', 'node1'])).toBe('node[0-1,00]')
    expect(foldHostlist(['node998', 'node999', 'node1000'])).toBe('node[998-1000]')
    expect(foldHostlist(['node098', 'node099', 'node100'])).toBe('node[098-100]')
    for (const names of [
      ['node008', 'node10'],
      ['node08', 'node9', 'node10'],
      ['node1', 'node01', 'node001', 'node2', 'node02'],
    ]) {
      expect(new Set(expandHostlist(foldHostlist(names)))).toEqual(new Set(names))
    }
  })

  test('names whose digits are too long to bracket stay as written', () => {
    const names = ['n1234567890123456', 'n1234567890123457']
    expect(foldHostlist(names)).toBe(names.join(','))
    expect(expandHostlist(foldHostlist(names))).toEqual(names)
  })

  test('duplicates fold once, and invalid names are errors', () => {
    expect(foldHostlist(['a1', 'a1', 'a2'])).toBe('a[1-2]')
    expect(() => foldHostlist(['bad name'])).toThrow('Cannot fold invalid node name "bad name"')
  })

  test('folds 100,000 names, in any order', () => {
    const names = expandHostlist('rack[01-100]n[0001-1000]')
    const folded = foldHostlist(names.reverse())
    expect(folded.startsWith('rack01n[0001-1000],rack02n[0001-1000],')).toBe(true)
    expect(foldHostlist(range('node', 1, 100_000))).toBe('node[1-100000]')
  })

  test('round trip over random name sets', () => {
    // mulberry32: tiny seeded PRNG so any failure reproduces from the printed seed.
    function random(seed: number): () => number {
      return () => {
        seed = (seed + 0x6d2b79f5) | 0
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
      }
    }
    const baseSeed = 20_240_601
    for (let round = 0; round < 300; round++) {
      const seed = baseSeed + round
      const next = random(seed)
      const int = (below: number) => Math.floor(next() * below)
      const pick = (text: string) => text[int(text.length)] ?? ''
      const word = (max: number) =>
        Array.from({ length: int(max + 1) }, () => pick('ab.-_')).join('')
      const number = () => {
        const n = next() < 0.2 ? 990 + int(20) : int(30)
        return String(n).padStart(int(5), '0')
      }
      const names = new Set<string>()
      for (let i = int(40); i >= 0; i--) {
        const kind = int(10)
        if (kind === 0) names.add(word(3) || 'x')
        else if (kind === 1) names.add(`rack${number()}n${number()}${word(1)}`)
        else names.add(`${word(2)}${number()}${kind === 2 ? word(2) : ''}`)
      }
      const folded = foldHostlist(names)
      const expanded = expandHostlist(folded)
      const same = expanded.length === names.size && expanded.every((name) => names.has(name))
      const stable = foldHostlist(expanded) === folded
      if (!same || !stable) {
        throw new Error(
          `Round trip failed for seed ${seed}: ${JSON.stringify([...names])} folded to "${folded}"`,
        )
      }
    }
  })
})

describe('compareNatural', () => {
  test('orders digit runs by value', () => {
    const sorted = ['node10', 'node2', 'node1', 'gpu3', 'node01', 'node', 'node1a', 'node001']
    expect(sorted.sort(compareNatural)).toEqual([
      'gpu3',
      'node',
      'node1',
      'node01',
      'node001',
      'node1a',
      'node2',
      'node10',
    ])
    expect(compareNatural('rack2n10', 'rack10n1')).toBeLessThan(0)
    expect(compareNatural('n99999999999999999999', 'n100000000000000000000')).toBeLessThan(0)
    expect(compareNatural('a', 'a')).toBe(0)
  })

  test('is a total order', () => {
    const names = ['a1', 'a01', 'a-1', 'a_1', 'a.1', 'a1b', 'a01b', 'A1', 'a', '1', '01', 'a10']
    for (const a of names) {
      for (const b of names) {
        expect(Math.sign(compareNatural(a, b)) + Math.sign(compareNatural(b, a))).toBe(0)
        if (a !== b) expect(compareNatural(a, b)).not.toBe(0)
        for (const c of names) {
          if (compareNatural(a, b) < 0 && compareNatural(b, c) < 0) {
            expect(compareNatural(a, c)).toBeLessThan(0)
          }
        }
      }
    }
  })
})

describe('isValidNodeName', () => {
  test('accepts letters, digits, dot, underscore and dash only', () => {
    for (const name of ['node01', 'a.b_c-d', '1', '-']) expect(isValidNodeName(name)).toBe(true)
    for (const name of ['', 'a b', 'a,b', 'a[1]', '@g', 'nöde']) {
      expect(isValidNodeName(name)).toBe(false)
    }
  })
})
