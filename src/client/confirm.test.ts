import { expect, test } from 'bun:test'
import { PassThrough } from 'node:stream'
import { canPrompt, confirm } from './confirm.ts'

async function ask(input: string | null): Promise<{ answer: boolean; shown: string }> {
  const stdin = new PassThrough()
  const stderr = new PassThrough()
  let shown = ''
  stderr.on('data', (chunk) => (shown += String(chunk)))
  const answer = confirm('Power off 12 nodes: node[01-12]?', { input: stdin, output: stderr })
  if (input === null) stdin.end()
  else stdin.write(input)
  return { answer: await answer, shown }
}

test('only y or yes is yes', async () => {
  expect(await ask('y\n')).toEqual({
    answer: true,
    shown: 'Power off 12 nodes: node[01-12]? [y/N] ',
  })
  expect((await ask('YES\n')).answer).toBe(true)
  expect((await ask('\n')).answer).toBe(false)
  expect((await ask('no\n')).answer).toBe(false)
  expect((await ask('yep\n')).answer).toBe(false)
})

test('end of input is no', async () => {
  expect((await ask(null)).answer).toBe(false)
})

test('asks only when stdin and stderr are both terminals', () => {
  expect(canPrompt(true, true)).toBe(true)
  expect(canPrompt(false, true)).toBe(false)
  expect(canPrompt(true, false)).toBe(false)
})
