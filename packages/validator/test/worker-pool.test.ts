// The one worker pool of the validator and the server's admission: answers matched to jobs,
// limits (time, heap, queue) and a worker that fails never taking other jobs or the process down.
import { describe, expect, it, onTestFinished } from 'vitest'
import { createWorkerPool, type WorkerPoolOptions } from '../src/worker-pool.js'

const workerUrl = new URL('./fixtures/pool-worker.mjs', import.meta.url)
type Job = { op: 'echo' | 'spin' | 'exit' | 'hog'; value?: number }

function pool(options: Partial<WorkerPoolOptions> = {}) {
  const created = createWorkerPool<Job, { id: number; value: number }>({ workerUrl, size: 2, ...options })
  onTestFinished(() => created.close())
  return created
}

describe('createWorkerPool', () => {
  it('answers every job with its own answer, many at once on a few workers', async () => {
    const workers = pool({ pipeline: 2 })
    const values = Array.from({ length: 200 }, (_, i) => i)
    const answers = await Promise.all(values.map((value) => workers.run({ op: 'echo', value })))
    expect(answers.map((a) => a.value)).toEqual(values)
    expect(workers.backlog()).toBe(0)
  })

  it('stops a job past its time limit, fails only that job, and serves the next with a fresh worker', async () => {
    const workers = pool({ size: 1, timeoutMs: 300 })
    const spin = workers.run({ op: 'spin', value: 1 })
    const next = workers.run({ op: 'echo', value: 7 })
    await expect(spin).rejects.toMatchObject({ reason: 'timeout', code: 'PLANSPEC_ERR_VALIDATOR_WORKER' })
    await expect(next).resolves.toMatchObject({ value: 7 })
  }, 30_000)

  it('fails the job of a worker that exits or runs out of heap, and replaces the worker', async () => {
    const workers = pool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 16 } })
    await expect(workers.run({ op: 'exit' })).rejects.toMatchObject({ reason: 'crash' })
    await expect(workers.run({ op: 'hog', value: 1 })).rejects.toMatchObject({ reason: 'memory' })
    await expect(workers.run({ op: 'echo', value: 3 })).resolves.toMatchObject({ value: 3 })
  }, 60_000)

  it('bounds the queue, and fails waiting and running jobs when closed', async () => {
    const workers = createWorkerPool<Job, unknown>({ workerUrl, size: 1, maxQueue: 1 })
    // Answered: the worker serves, so the next job runs at once and only the one after waits.
    await workers.run({ op: 'echo', value: 0 })
    const running = workers.run({ op: 'spin', value: 1 })
    const waiting = workers.run({ op: 'echo', value: 2 })
    const settled = Promise.allSettled([running, waiting])
    await expect(workers.run({ op: 'echo', value: 3 })).rejects.toMatchObject({ reason: 'full' })
    await workers.close()
    await expect(settled).resolves.toEqual([
      { status: 'rejected', reason: expect.objectContaining({ reason: 'closed' }) },
      { status: 'rejected', reason: expect.objectContaining({ reason: 'closed' }) },
    ])
    await expect(workers.run({ op: 'echo', value: 4 })).rejects.toMatchObject({ reason: 'closed' })
  })

  it('fails every job with a terminal error when the worker script cannot start', async () => {
    const workers = pool({ workerUrl: new URL('./fixtures/no-such-worker.mjs', import.meta.url) })
    await expect(workers.run({ op: 'echo', value: 1 })).rejects.toMatchObject({ reason: 'start', terminal: true })
    // Started on the first job instead: the same.
    const lazy = pool({ workerUrl: new URL('./fixtures/no-such-worker.mjs', import.meta.url), warm: false })
    await expect(lazy.run({ op: 'echo', value: 1 })).rejects.toMatchObject({ reason: 'start' })
    await expect(workers.run({ op: 'echo', value: 2 })).rejects.toMatchObject({ reason: 'start' })
  })
})
