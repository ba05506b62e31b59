// The validation workers: what bounds a validation that would otherwise stall the server.
import { describe, expect, it, onTestFinished } from 'vitest'
import { createValidationPool, type ValidationPoolOptions } from '../src/index.js'

const goal = (name: string) => `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ${name}\nspec:\n  description: d\n`
/** A plan big enough to keep a worker busy for a while: `count` files of 200 chained nodes. */
const heavy = (count: number) => ({
  files: Array.from({ length: count }, (_, i) => ({
    file: `p${i}.yaml`,
    text: `apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata:\n  name: p${i}\nspec:\n  description: d\n  graph:\n    nodes:\n${Array.from({ length: 200 }, (_, n) => `      - { id: n${n}, kind: Task${n ? `, dependsOn: [n${n - 1}]` : ''} }\n`).join('')}`,
  })),
})

function pool(options: ValidationPoolOptions = {}) {
  const created = createValidationPool({ size: 1, ...options })
  onTestFinished(() => created.close())
  return created
}

describe('createValidationPool', () => {
  it('validates files and raw bodies in a worker, exactly as the validator does', async () => {
    const workers = pool()
    expect((await workers.check([{ file: 'g.yaml', text: goal('g') }])).summary).toEqual({ files: 1, resources: 1, errors: 0, warnings: 0 })
    const bad = await workers.checkBody(JSON.stringify({ files: [{ file: 'g.yaml', text: goal('Bad_Name') }] }), 100)
    expect(bad.summary.errors).toBeGreaterThan(0)
    expect(bad.diagnostics.map((d) => d.path)).toContain('/metadata/name')
  })

  it('refuses malformed bodies with 400: not JSON, too deep, poisoned, wrong shape', async () => {
    const workers = pool()
    for (const text of ['{nope', `${'['.repeat(200)}${']'.repeat(200)}`, '{"__proto__": {"x": 1}}', '{"a": {"constructor": {"prototype": {}}}}', '[1]', '{"files": [{"file": "", "text": "x"}]}', '{"files": [], "other": 1}', '{"files": [], "compat": "yes"}']) {
      await expect(workers.checkBody(text, 100), text).rejects.toMatchObject({ code: 'PLANSPEC_ERR_API_BAD_REQUEST' })
    }
  })

  it('stops a validation past its time limit (504) and serves the next one with a fresh worker', async () => {
    // 1,000 plans of 200 nodes take seconds of validation on any machine this runs on: far past 300 ms.
    const workers = pool({ timeoutMs: 300 })
    await expect(workers.checkBody(JSON.stringify(heavy(1000)), 100)).rejects.toMatchObject({ code: 'PLANSPEC_ERR_API_TIMEOUT', kind: { status: 504 } })
    const next = pool({ timeoutMs: 30_000 })
    expect((await next.check([{ file: 'g.yaml', text: goal('g') }])).summary.errors).toBe(0)
    // The same pool recovers too: its worker was replaced.
    await expect(workers.check([{ file: 'g.yaml', text: goal('g') }])).resolves.toBeDefined()
  }, 60_000)

  it('stops a validation that needs more memory than allowed (413), and keeps serving', async () => {
    const workers = pool({ maxHeapMb: 16, timeoutMs: 60_000 })
    const files = Array.from({ length: 40 }, (_, i) => ({ file: `g${i}.yaml`, text: `${goal(`g${i}`)}  constraints:\n${Array.from({ length: 2000 }, (_, k) => `    k${k}: "${'v'.repeat(100)}"\n`).join('')}` }))
    await expect(workers.check(files)).rejects.toMatchObject({ code: 'PLANSPEC_ERR_API_TOO_LARGE' })
    await expect(workers.check([{ file: 'g.yaml', text: goal('g') }])).resolves.toBeDefined()
  }, 60_000)

  it('queues at most maxQueue jobs (429), and fails pending jobs on close (503)', async () => {
    const workers = createValidationPool({ size: 1, maxQueue: 1 })
    const first = workers.check([{ file: 'g.yaml', text: goal('a') }])
    const second = workers.check([{ file: 'g.yaml', text: goal('b') }])
    const both = Promise.allSettled([first, second])
    await expect(workers.check([{ file: 'g.yaml', text: goal('c') }])).rejects.toMatchObject({ code: 'PLANSPEC_ERR_API_TOO_MANY_REQUESTS' })
    await workers.close()
    await expect(both).resolves.toEqual([expect.objectContaining({ status: 'rejected' }), expect.objectContaining({ status: 'rejected' })])
    await expect(workers.check([])).rejects.toMatchObject({ code: 'PLANSPEC_ERR_API_UNAVAILABLE' })
  })
})
