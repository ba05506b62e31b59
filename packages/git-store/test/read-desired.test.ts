import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FIXTURE_EPOCH, pushFixture, runGit } from '@planspec/testing'
import { createGitStoreCache, readDesired, resourceUid } from '../src/index.js'
import { cleanup, fs, goal, plan, startRemote, tempDir } from './helpers.js'

afterEach(cleanup)

const BROKEN_GOAL = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: g\nspec:\n  descripton: typo\n'

describe('readDesired', () => {
  it('reads the manifests pushed to the remote, with git-mode metadata, and skips other YAML', async () => {
    const remote = await startRemote()
    const sha = await pushFixture({
      remote: remote.bare,
      files: { 'plans/a.yaml': plan('a'), 'goals/g.yaml': goal('g'), '.github/workflows/ci.yml': 'on: push\njobs: {}\n', 'README.md': '# x\n', 'docs/other.yaml': 'kind: Thing\n' },
    })
    const state = await readDesired(await remote.agent())
    expect(state.revision).toBe(sha)
    expect([...state.resources.keys()]).toEqual(['goal/default/g', 'plan/default/a'])
    expect(state.diagnostics).toEqual([])
    expect(state.changed).toEqual({ added: ['goal/default/g', 'plan/default/a'], modified: [], removed: [] })
    const a = state.resources.get('plan/default/a')!
    expect(a.identity).toMatchObject({ generation: 1, introducedIn: sha, creationTimestamp: new Date(FIXTURE_EPOCH * 1000).toISOString() })
    expect(a.identity.uid).toBe(resourceUid('Plan', 'default', 'a', sha))
    expect(a.object.metadata).toMatchObject({ name: 'a', namespace: 'default', uid: a.identity.uid, generation: 1 })
    expect(a.condition).toMatchObject({ type: 'SourceValid', status: 'True' })
    expect(a.file).toBe('plans/a.yaml')
    expect(state.stats.blobsParsed).toBe(2)
  })

  it('re-parses only the changed blob on a one-file change, and does nothing for the same revision', async () => {
    const remote = await startRemote()
    const files: Record<string, string> = {}
    for (let i = 0; i < 30; i++) files[`team-${i % 3}/plans/p${i}.yaml`] = plan(`p${i}`, 3)
    await pushFixture({ remote: remote.bare, files })
    const agent = await remote.agent()
    const first = await readDesired(agent)
    expect(first.resources.size).toBe(30)
    expect(first.stats.blobsParsed).toBe(30)
    await pushFixture({ remote: remote.bare, files: { 'team-1/plans/p4.yaml': plan('p4', 5) }, date: FIXTURE_EPOCH + 60 })
    const second = await readDesired({ ...agent, previous: first })
    expect(second.stats).toMatchObject({ blobsParsed: 1, blobsRead: 1, pathsChanged: 1, cacheHits: 0 })
    expect(second.stats.treesRead).toBeLessThanOrEqual(6)
    expect(second.changed).toEqual({ added: [], modified: ['plan/default/p4'], removed: [] })
    expect(second.resources.get('plan/default/p4')!.identity).toMatchObject({ generation: 2, introducedIn: first.revision })
    expect(second.resources.get('plan/default/p4')!.identity.uid).toBe(first.resources.get('plan/default/p4')!.identity.uid)
    // Unchanged resources are the very same objects: nothing was re-read or re-stamped.
    expect(second.resources.get('plan/default/p5')).toBe(first.resources.get('plan/default/p5'))
    const third = await readDesired({ ...agent, previous: second })
    expect(third.unchanged).toBe(true)
    expect(third.stats).toMatchObject({ treesRead: 0, blobsRead: 0, blobsParsed: 0 })
    expect(third.changed).toEqual({ added: [], modified: [], removed: [] })
  })

  it('serves a content seen before from the blob cache, and reports removed files and directories', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'a/g1.yaml': goal('g1'), 'a/g2.yaml': goal('g2'), 'b/g3.yaml': goal('g3') } })
    const agent = await remote.agent()
    const first = await readDesired(agent)
    await pushFixture({ remote: remote.bare, files: { 'a/g1.yaml': goal('g1', 'changed'), 'b/g3.yaml': null }, date: FIXTURE_EPOCH + 1 })
    const second = await readDesired({ ...agent, previous: first })
    expect(second.changed).toEqual({ added: [], modified: ['goal/default/g1'], removed: ['goal/default/g3'] })
    await pushFixture({ remote: remote.bare, files: { 'a/g1.yaml': goal('g1'), a: null }, date: FIXTURE_EPOCH + 2 })
    const third = await readDesired({ ...agent, previous: second })
    expect([...third.changed.removed].sort()).toEqual(['goal/default/g1', 'goal/default/g2'])
    await pushFixture({ remote: remote.bare, files: { 'c/g1.yaml': goal('g1') }, date: FIXTURE_EPOCH + 3 })
    const fourth = await readDesired({ ...agent, previous: third })
    expect(fourth.stats).toMatchObject({ cacheHits: 1, blobsParsed: 0 })
    expect(fourth.resources.get('goal/default/g1')!.file).toBe('c/g1.yaml')
  })

  it('keeps the last known good version of an invalid file, reports it, and recovers when fixed', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'goals/g.yaml': goal('g', 'first'), 'plans/p.yaml': plan('p') } })
    const agent = await remote.agent()
    const good = await readDesired(agent)
    const broken = await pushFixture({ remote: remote.bare, files: { 'goals/g.yaml': BROKEN_GOAL, 'plans/p.yaml': plan('p', 4), 'goals/new.yaml': BROKEN_GOAL.replace('name: g', 'name: new') }, date: FIXTURE_EPOCH + 10 })
    const bad = await readDesired({ ...agent, previous: good })
    expect(bad.revision).toBe(broken)
    const g = bad.resources.get('goal/default/g')!
    expect(g.lastKnownGood).toBe(true)
    expect(g.object.spec).toEqual({ description: 'first' })
    expect(g.condition).toMatchObject({ type: 'SourceValid', status: 'False', reason: 'InvalidManifest' })
    expect(g.condition.message).toMatch(/^goals\/g\.yaml:5:1 PS2005 /)
    expect(bad.resources.has('goal/default/new')).toBe(false)
    expect(bad.diagnostics.map((d) => `${d.code} ${d.file}`).sort()).toEqual(['PS2004 goals/g.yaml', 'PS2004 goals/new.yaml', 'PS2005 goals/g.yaml', 'PS2005 goals/new.yaml', 'PS7006 goals/g.yaml'])
    // The valid file next to it went on updating.
    expect(bad.changed.modified).toEqual(['goal/default/g', 'plan/default/p'])
    await pushFixture({ remote: remote.bare, files: { 'goals/g.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: {name: g\n' }, date: FIXTURE_EPOCH + 20 })
    const syntax = await readDesired({ ...agent, previous: bad })
    expect(syntax.resources.get('goal/default/g')).toMatchObject({ lastKnownGood: true, condition: { reason: 'InvalidManifest' } })
    expect(syntax.diagnostics.some((d) => d.code.startsWith('PS1'))).toBe(true)
    await pushFixture({ remote: remote.bare, files: { 'goals/g.yaml': goal('g', 'fixed'), 'goals/new.yaml': null }, date: FIXTURE_EPOCH + 30 })
    const fixed = await readDesired({ ...agent, previous: syntax })
    expect(fixed.resources.get('goal/default/g')).toMatchObject({ lastKnownGood: false, condition: { status: 'True' }, object: { spec: { description: 'fixed' } } })
    expect(fixed.resources.get('goal/default/g')!.identity.generation).toBe(2)
    expect(fixed.diagnostics).toEqual([])
  })

  it('keeps the last known good version when a manifest is emptied or loses its apiVersion', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': goal('g'), 'h.yaml': goal('h') } })
    const agent = await remote.agent()
    const good = await readDesired(agent)
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': '', 'h.yaml': goal('h').replace('apiVersion: planspec.io/v1alpha1', 'apiVersion planspec') }, date: FIXTURE_EPOCH + 5 })
    const bad = await readDesired({ ...agent, previous: good })
    expect(bad.resources.get('goal/default/g')).toMatchObject({ lastKnownGood: true, condition: { reason: 'EmptyFile' } })
    expect(bad.resources.get('goal/default/h')).toMatchObject({ lastKnownGood: true, condition: { reason: 'InvalidManifest' } })
  })

  it('falls back to a full read after a force-push and reports it', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'g1.yaml': goal('g1'), 'g2.yaml': goal('g2') } })
    const agent = await remote.agent()
    const first = await readDesired(agent)
    const rewritten = await pushFixture({ remote: remote.bare, files: { 'g2.yaml': goal('g2'), 'g3.yaml': goal('g3') }, orphan: true, date: FIXTURE_EPOCH + 100 })
    const second = await readDesired({ ...agent, previous: first })
    expect(second.revision).toBe(rewritten)
    expect(second).toMatchObject({ historyRewritten: true, fullRead: true })
    expect(second.diagnostics[0]).toMatchObject({ code: 'PS7004', severity: 'warning' })
    expect(second.changed).toEqual({ added: ['goal/default/g3'], modified: [], removed: ['goal/default/g1'] })
    expect(second.resources.get('goal/default/g2')!.identity).toEqual(first.resources.get('goal/default/g2')!.identity)
    const third = await readDesired({ ...agent, previous: second })
    expect(third.unchanged).toBe(true)
  })

  it('follows .planspec.yaml: paths, exclude and the default namespace; an invalid config keeps the previous one', async () => {
    const remote = await startRemote()
    const config = 'namespace: team-a\npaths: ["plans/**/*.yaml", "goals/*.yaml"]\nexclude: ["plans/drafts/**"]\n'
    await pushFixture({
      remote: remote.bare,
      files: { '.planspec.yaml': config, 'plans/x/p.yaml': plan('p'), 'plans/drafts/d.yaml': plan('d'), 'goals/g.yaml': goal('g'), 'elsewhere/e.yaml': goal('e'), 'goals/not-a-manifest.yaml': 'just: data\n' },
    })
    const agent = await remote.agent()
    const first = await readDesired(agent)
    expect([...first.resources.keys()]).toEqual(['goal/team-a/g', 'plan/team-a/p'])
    // Under explicit paths every file is a manifest: one that is not is reported, not skipped.
    expect(first.diagnostics.map((d) => `${d.code} ${d.file}`)).toEqual(['PS2002 goals/not-a-manifest.yaml'])
    await pushFixture({ remote: remote.bare, files: { '.planspec.yaml': 'paths: plans\n' }, date: FIXTURE_EPOCH + 1 })
    const second = await readDesired({ ...agent, previous: first })
    expect(second.config).toEqual(first.config)
    expect(second.diagnostics.map((d) => d.code)).toContain('PS7005')
    expect([...second.resources.keys()]).toEqual(['goal/team-a/g', 'plan/team-a/p'])
    await pushFixture({ remote: remote.bare, files: { '.planspec.yaml': null }, date: FIXTURE_EPOCH + 2 })
    const third = await readDesired({ ...agent, previous: second })
    expect([...third.resources.keys()].sort()).toEqual(['goal/default/e', 'goal/default/g', 'plan/default/d', 'plan/default/p'])
  })

  it('reports a resource defined in two files and keeps the one seen first', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'b.yaml': goal('g', 'in b') } })
    const agent = await remote.agent()
    const first = await readDesired(agent)
    await pushFixture({ remote: remote.bare, files: { 'a.yaml': goal('g', 'in a') }, date: FIXTURE_EPOCH + 1 })
    const second = await readDesired({ ...agent, previous: first })
    expect(second.resources.get('goal/default/g')!.file).toBe('b.yaml')
    expect(second.diagnostics).toMatchObject([{ code: 'PS4002', file: 'a.yaml', severity: 'error' }])
  })

  it('keeps uids and generations across restarts through the identities persisted in status', async () => {
    const remote = await startRemote()
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': goal('g') } })
    const first = await readDesired(await remote.agent())
    const introduced = first.resources.get('goal/default/g')!.identity
    await pushFixture({ remote: remote.bare, files: { 'g.yaml': goal('g', 'v2') }, date: FIXTURE_EPOCH + 1 })
    const restarted = await readDesired({ ...(await remote.agent()), identities: new Map([['goal/default/g', introduced]]) })
    expect(restarted.resources.get('goal/default/g')!.identity).toMatchObject({ uid: introduced.uid, generation: 2, introducedIn: first.revision })
  })

  it('reads a local repository in place, without a remote', async () => {
    const dir = await tempDir()
    await runGit(['init', '--quiet', '--initial-branch=main', dir])
    await fs.promises.mkdir(join(dir, 'plans'))
    await fs.promises.writeFile(join(dir, 'plans', 'p.yaml'), plan('p'))
    await runGit(['add', '--all'], { cwd: dir })
    await runGit(['commit', '--quiet', '-m', 'plans'], { cwd: dir })
    const state = await readDesired({ fs, dir, cache: createGitStoreCache() })
    expect([...state.resources.keys()]).toEqual(['plan/default/p'])
    await expect(readDesired({ fs, dir, branch: 'nope' })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GIT_BRANCH_NOT_FOUND' })
  })
})
