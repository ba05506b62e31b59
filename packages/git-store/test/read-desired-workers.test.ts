import { afterEach, describe, expect, it } from 'vitest'
import { pushFixture } from '@planspec/testing'
import { VALIDATION_WORKER_URL } from '@planspec/validator'
import { createGitStoreCache, readDesired, type DesiredState } from '../src/index.js'
import { cleanup, goal, plan, startRemote } from './helpers.js'

afterEach(cleanup)

/** What two reads must agree on: resources as stored, every finding, the per-path analyses. */
function comparable(state: DesiredState): unknown {
  return {
    resources: [...state.resources],
    diagnostics: state.diagnostics,
    paths: [...state.paths].map(([path, p]) => [path, p.oid, p.effective.map((e) => e.subject), p.diagnostics, p.analysis?.resources.map((r) => r.value), p.analysis?.fileInvalid, [...(p.analysis?.invalid ?? [])]]),
    stats: state.stats,
  }
}

describe('readDesired with validation workers', () => {
  it('reads a large tree in worker threads to the very state read in this thread, findings and last known good included', async () => {
    const remote = await remote300()
    const here = await readDesired(await remote.agent({ cache: createGitStoreCache() }))
    const agent = await remote.agent({ cache: createGitStoreCache(), validationWorkers: { workerUrl: VALIDATION_WORKER_URL, jobs: 2 } })
    const workers = await readDesired(agent)
    expect(here.resources.size).toBe(299)
    expect(here.diagnostics.map((d) => d.code).sort()).toEqual(['PS1001', 'PS2009'])
    expect(comparable(workers)).toEqual(comparable(here))
    // Then a one-file change, read incrementally (in this thread: one path changed).
    await pushFixture({ remote: remote.bare, files: { 'team-1/plans/p1.yaml': plan('p1', 4) } })
    const next = await readDesired({ ...agent, previous: workers })
    expect(next.stats.blobsParsed).toBe(1)
    expect(next.changed).toEqual({ added: [], modified: ['plan/default/p1'], removed: [] })
    expect(next.resources.get('plan/default/p1')?.identity.generation).toBe(2)
  })

  it('reports a coded error when the worker script cannot start', async () => {
    const remote = await remote300()
    const agent = await remote.agent({ cache: createGitStoreCache(), validationWorkers: { workerUrl: new URL('./no-such-worker.js', VALIDATION_WORKER_URL), jobs: 2 } })
    await expect(readDesired(agent)).rejects.toMatchObject({ code: 'PLANSPEC_ERR_VALIDATOR_WORKER' })
  })
})

/** 300 manifests (above the count read in workers), one of them broken twice over. */
async function remote300(): Promise<Awaited<ReturnType<typeof startRemote>>> {
  const remote = await startRemote()
  const files: Record<string, string> = {}
  for (let i = 0; i < 150; i++) files[`team-${i % 5}/plans/p${i}.yaml`] = plan(`p${i}`, 1 + (i % 7))
  for (let i = 0; i < 149; i++) files[`team-${i % 5}/goals/g${i}.yaml`] = goal(`g${i}`)
  files['team-0/goals/broken.yaml'] = goal('Broken_Name')
  files['team-0/goals/mangled.yaml'] = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: [unclosed\n'
  await pushFixture({ remote: remote.bare, files })
  return remote
}
