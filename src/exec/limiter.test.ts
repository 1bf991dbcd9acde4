import { describe, expect, test } from 'bun:test'
import { Fifo } from './fifo.ts'
import { Limiter, type Job } from './limiter.ts'

/** A job whose work finishes when the test says so, recording what happened to it */
function job(key: string, events: string[], name = key) {
  let finish = () => {}
  const spec: Job = {
    key,
    start: (release) => {
      events.push(`start ${name}`)
      finish = release
    },
    cancel: () => events.push(`cancel ${name}`),
  }
  return { spec, finish: () => finish() }
}

describe('Limiter', () => {
  test('starts jobs up to the limit and the next one as a slot frees', () => {
    const events: string[] = []
    const limiter = new Limiter(2)
    const jobs = ['a', 'b', 'c'].map((key) => job(key, events))
    for (const j of jobs) limiter.add(j.spec)
    expect(events).toEqual(['start a', 'start b'])
    expect([limiter.active, limiter.queued]).toEqual([2, 1])
    jobs[1]?.finish()
    expect(events).toEqual(['start a', 'start b', 'start c'])
    expect([limiter.active, limiter.queued]).toEqual([2, 0])
  })

  test('runs one job per key at a time, in order, without blocking other keys', () => {
    const events: string[] = []
    const limiter = new Limiter(4)
    const a1 = job('a', events, 'a1')
    const a2 = job('a', events, 'a2')
    const b1 = job('b', events, 'b1')
    for (const j of [a1, a2, b1]) limiter.add(j.spec)
    expect(events).toEqual(['start a1', 'start b1'])
    a1.finish()
    expect(events).toEqual(['start a1', 'start b1', 'start a2'])
  })

  test('cancelWaiting cancels everything not started and leaves running jobs alone', () => {
    const events: string[] = []
    const limiter = new Limiter(1)
    const a1 = job('a', events, 'a1')
    for (const j of [a1, job('a', events, 'a2'), job('b', events, 'b1')]) limiter.add(j.spec)
    limiter.cancelWaiting()
    expect(events).toEqual(['start a1', 'cancel b1', 'cancel a2'])
    expect([limiter.active, limiter.queued]).toEqual([1, 0])
    a1.finish()
    expect(limiter.active).toBe(0)
    limiter.add(job('a', events, 'a3').spec)
    expect(events.at(-1)).toBe('start a3')
  })

  test('a job that releases twice frees only one slot', () => {
    const events: string[] = []
    const limiter = new Limiter(1)
    const a = job('a', events)
    limiter.add(a.spec)
    limiter.add(job('b', events).spec)
    limiter.add(job('c', events).spec)
    a.finish()
    a.finish()
    expect(events).toEqual(['start a', 'start b'])
    expect([limiter.active, limiter.queued]).toEqual([1, 1])
  })
})

describe('Fifo', () => {
  test('is first in, first out across compactions', () => {
    const fifo = new Fifo<number>()
    const out: number[] = []
    for (let i = 0; i < 5000; i++) {
      fifo.push(i)
      if (i % 3 === 0) out.push(fifo.shift() ?? -1)
    }
    while (fifo.length > 0) out.push(fifo.shift() ?? -1)
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i))
    expect(fifo.shift()).toBeUndefined()
  })

  test('peek() and values() look without taking, across compactions', () => {
    const fifo = new Fifo<number>()
    expect(fifo.peek()).toBeUndefined()
    expect(fifo.values()).toEqual([])
    for (let i = 0; i < 3000; i++) fifo.push(i)
    for (let i = 0; i < 2500; i++) fifo.shift()
    expect(fifo.peek()).toBe(2500)
    expect(fifo.values()).toEqual(Array.from({ length: 500 }, (_, i) => 2500 + i))
    expect(fifo.length).toBe(500)
    expect(fifo.shift()).toBe(2500)
  })
})
