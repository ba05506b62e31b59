import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { PlanSpecError, terminal } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { createWorkQueue, type WorkFailure, type WorkQueueTimers } from '../src/index.js'

/** Timers whose clock only moves when the test says so; `soon` is real (the queue awaits promises). */
function manualTimers(): WorkQueueTimers & { advance(ms: number): Promise<void>; pending(): number[] } {
  let now = 0
  let next = 0
  const due = new Map<number, { at: number; callback: () => void }>()
  return {
    setTimeout: (callback, ms) => {
      const id = next++
      due.set(id, { at: now + ms, callback })
      return id
    },
    clearTimeout: (handle) => void due.delete(handle as number),
    soon: (callback) => setImmediate(callback),
    now: () => now,
    pending: () => [...due.values()].map((d) => d.at - now).sort((a, b) => a - b),
    async advance(ms) {
      const until = now + ms
      for (;;) {
        const first = [...due.entries()].filter(([, d]) => d.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
        if (first === undefined) break
        due.delete(first[0])
        now = first[1].at
        first[1].callback()
        await settle()
      }
      now = until
      await settle()
    },
  }
}
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('createWorkQueue', () => {
  it('processes a key queued several times once, and once more when added while it runs', async () => {
    const seen: string[] = []
    let release: () => void = () => {}
    const queue = createWorkQueue<string>({
      process: async (key) => {
        seen.push(key)
        if (seen.length === 2) await new Promise<void>((resolve) => (release = resolve))
      },
      backoff: { baseMs: 100, maxMs: 1000 },
      timers: manualTimers(),
    })
    queue.add('a')
    queue.add('a')
    queue.add('b')
    await settle()
    queue.add('b') // b is running: it runs once more afterwards
    queue.add('b')
    release()
    await queue.settled()
    expect(seen).toEqual(['a', 'b', 'b'])
  })

  it('retries a failing key after the backoff window, doubling it, until it succeeds', async () => {
    const timers = manualTimers()
    const failures: WorkFailure[] = []
    let calls = 0
    const queue = createWorkQueue<string>({
      process: async () => {
        if (++calls < 4) throw new PlanSpecError('remote down', { code: 'PLANSPEC_ERR_GIT_UNREACHABLE' })
      },
      backoff: { baseMs: 100, maxMs: 300 },
      random: () => 0.5,
      onError: (_error, _key, failure) => failures.push(failure),
      timers,
    })
    let settled = false
    queue.add('k')
    void queue.settled().then(() => (settled = true))
    await settle()
    expect(failures).toEqual([{ terminal: false, failures: 1, retryInMs: 50 }])
    expect(settled).toBe(false)
    await timers.advance(50)
    await timers.advance(100)
    await timers.advance(150)
    expect(failures.map((f) => f.retryInMs)).toEqual([50, 100, 150])
    expect(calls).toBe(4)
    expect(settled).toBe(true)
  })

  it('never retries a terminal error (a bad token) until the key is added again', async () => {
    const timers = manualTimers()
    const failures: WorkFailure[] = []
    let calls = 0
    const queue = createWorkQueue<string>({
      process: async () => {
        calls++
        throw terminal(new PlanSpecError('authentication failed', { code: 'PLANSPEC_ERR_GIT_AUTH' }))
      },
      backoff: { baseMs: 100, maxMs: 1000 },
      onError: (_error, _key, failure) => failures.push(failure),
      timers,
    })
    queue.add('k')
    await queue.settled()
    await timers.advance(60_000)
    expect(calls).toBe(1)
    expect(failures).toEqual([{ terminal: true, failures: 1 }])
    expect(timers.pending()).toEqual([])
    queue.add('k')
    await queue.settled()
    expect(calls).toBe(2)
  })

  it('comes back after requeueAfterMs, and an add in between runs at once and replaces that delay', async () => {
    const timers = manualTimers()
    let calls = 0
    const queue = createWorkQueue<string>({ process: async () => ({ requeueAfterMs: ++calls === 1 ? 1000 : 5000 }), backoff: { baseMs: 100, maxMs: 1000 }, timers })
    queue.add('goal')
    await queue.settled() // a later requeue does not hold settled()
    expect(timers.pending()).toEqual([1000])
    await timers.advance(400)
    queue.add('goal')
    await queue.settled()
    expect(calls).toBe(2)
    expect(timers.pending()).toEqual([5000])
    queue.stop()
    expect(timers.pending()).toEqual([])
  })

  it('starts at most ratePerSecond keys per second', async () => {
    const timers = manualTimers()
    const seen: string[] = []
    const queue = createWorkQueue<string>({ process: async (key) => void seen.push(key), backoff: { baseMs: 100, maxMs: 1000 }, ratePerSecond: 2, timers })
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key)
    await settle()
    expect(seen).toEqual(['a', 'b'])
    await timers.advance(500)
    expect(seen).toEqual(['a', 'b', 'c'])
    await timers.advance(1000)
    await queue.settled()
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('yields after a batch and drops everything on stop', async () => {
    const seen: number[] = []
    const queue = createWorkQueue<number>({ process: async (key) => void seen.push(key), backoff: { baseMs: 100, maxMs: 1000 }, batch: 2 })
    for (let i = 0; i < 5; i++) queue.add(i)
    await queue.settled()
    expect(seen).toEqual([0, 1, 2, 3, 4])
    queue.addAfter(9, 10)
    queue.add(7)
    queue.stop()
    queue.stop()
    queue.add(8)
    queue.addAfter(8, 1)
    await queue.settled()
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(seen).toEqual([0, 1, 2, 3, 4])
  })

  it('reports a failure of a key whose queue was stopped while it ran, without retrying it', async () => {
    let release: () => void = () => {}
    const failures: WorkFailure[] = []
    const queue = createWorkQueue<string>({
      process: () => new Promise<void>((_resolve, reject) => (release = () => reject(new Error('aborted')))),
      backoff: { baseMs: 100, maxMs: 1000 },
      onError: (_e, _k, failure) => failures.push(failure),
    })
    queue.add('k')
    await settle()
    queue.stop()
    release()
    await settle()
    expect(failures).toEqual([{ terminal: false, failures: 1 }])
  })

  it('keeps the process alive while a delay is pending, unless told not to (the server has its socket)', async () => {
    const script = (keepAlive: boolean): string => `
      import { createWorkQueue } from '@planspec/engine'
      const queue = createWorkQueue({ process: async (key) => { console.log('ran ' + key) }, backoff: { baseMs: 1, maxMs: 1 }, keepAlive: ${keepAlive} })
      queue.addAfter('later', 300)`
    const run = async (keepAlive: boolean): Promise<string> => (await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script(keepAlive)], { cwd: import.meta.dirname, timeout: 60_000 })).stdout
    expect(await run(true)).toBe('ran later\n')
    expect(await run(false)).toBe('')
  }, 120_000)

  it('processes up to `concurrency` keys at once, never one key twice at a time, and settles when all are done', async () => {
    const releases = new Map<string, () => void>()
    const started: string[] = []
    let settled = false
    const queue = createWorkQueue<string>({
      process: (key) => {
        started.push(key)
        return new Promise<void>((resolve) => releases.set(key, resolve))
      },
      backoff: { baseMs: 10, maxMs: 10 },
      concurrency: 2,
    })
    for (const key of ['a', 'b', 'c']) queue.add(key)
    await settle()
    expect(started).toEqual(['a', 'b'])
    queue.add('a')
    void queue.settled().then(() => (settled = true))
    await settle()
    expect(started).toEqual(['a', 'b'])
    releases.get('a')!()
    await settle()
    // c waited for a free slot; a (added while it ran) runs once more after it.
    expect(started).toEqual(['a', 'b', 'c'])
    releases.get('b')!()
    await settle()
    expect(started).toEqual(['a', 'b', 'c', 'a'])
    expect(settled).toBe(false)
    releases.get('c')!()
    releases.get('a')!()
    await settle()
    expect(settled).toBe(true)
  })
})
