import { describe, expect, test } from 'bun:test'
import { BoundedOutput } from './bounded-output.ts'
import { createRunner } from './index.ts'

describe('BoundedOutput', () => {
  test('keeps everything while under the limit', () => {
    const output = new BoundedOutput(100)
    output.push(Buffer.from('hello '))
    output.push(Buffer.from('world'))
    expect(output.toString()).toBe('hello world')
  })

  test('keeps exactly the last limit bytes', () => {
    const output = new BoundedOutput(10)
    for (const piece of ['0123', '4567', '89ab', 'cdef']) output.push(Buffer.from(piece))
    expect(output.toString()).toBe('6789abcdef')
  })

  test('a chunk larger than the limit keeps only its tail', () => {
    const output = new BoundedOutput(4)
    output.push(Buffer.from('ab'))
    output.push(Buffer.from('0123456789'))
    expect(output.toString()).toBe('6789')
    expect(output.retainedBytes).toBe(4)
  })

  test('drops as it goes: memory stays at the limit plus one chunk', () => {
    const limit = 1000
    const output = new BoundedOutput(limit)
    const chunk = Buffer.alloc(4096, 'x')
    for (let i = 0; i < 2560; i++) {
      output.push(Buffer.from(`${i % 10}`))
      output.push(chunk.subarray(0, 1 + (i % 700)))
      expect(output.retainedBytes).toBeLessThan(limit + 701)
    }
    expect(output.toString()).toHaveLength(limit)
  })

  test('many tiny chunks stay bounded too', () => {
    const output = new BoundedOutput(10)
    for (let i = 0; i < 100_000; i++) output.push(Buffer.from(String(i % 10)))
    expect(output.retainedBytes).toBe(10)
    expect(output.toString()).toBe('0123456789')
  })

  test('never starts with half a character', () => {
    const output = new BoundedOutput(5)
    output.push(Buffer.from('ab✓✓'))
    // The last 5 bytes are the tail of one ✓ (2 of 3 bytes) and the whole of the other.
    expect(output.toString()).toBe('✓')
  })

  test('a limit of zero keeps nothing', () => {
    const output = new BoundedOutput(0)
    output.push(Buffer.from('abc'))
    expect(output.toString()).toBe('')
  })
})

describe('bounded capture of real scripts', () => {
  test('a script printing 10 MB on each stream keeps only the tail of each', async () => {
    const runner = createRunner({ concurrency: 1, maxOutputBytes: 1000 })
    const result = await runner.run({
      key: 'node01',
      script: `head -c 10000000 /dev/zero | tr '\\0' o; printf OUT-END
head -c 10000000 /dev/zero | tr '\\0' e >&2; printf ERR-END >&2`,
      env: {},
      timeoutMs: 30_000,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    expect(result.stdout).toHaveLength(1000)
    expect(result.stdout).toBe(`${'o'.repeat(993)}OUT-END`)
    expect(result.stderr).toBe(`${'e'.repeat(993)}ERR-END`)
  })

  test('the default limit is 64 KiB per stream', async () => {
    const runner = createRunner({ concurrency: 1 })
    const result = await runner.run({
      key: 'node01',
      script: `head -c 100000 /dev/zero | tr '\\0' o`,
      env: {},
      timeoutMs: 30_000,
    })
    expect(result.stdout).toHaveLength(65536)
  })
})
