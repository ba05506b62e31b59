import { describe, expect, it } from 'vitest'
import { authorizeGateAction, createRepositoryAccessLookup, GITHUB_ERROR_CODES, resolveReviewerFacts } from '../src/index.js'
import { useFakeGitHub } from './support/use-fake-github.js'

const fake = useFakeGitHub()
const lookup = () => createRepositoryAccessLookup({ octokit: fake.octokit, owner: 'acme', repo: 'plans' })
const gate = (reviewers?: string[]) => ({ spec: reviewers === undefined ? {} : { reviewers } })

describe('authorizeGateAction', () => {
  it('admits a listed user, case-insensitively, without any lookup', async () => {
    expect(await authorizeGateAction({ gate: gate(['user:Bob']), actor: 'BOB', author: 'amy', ...lookup() })).toEqual({ allowed: true, reviewer: 'user:bob' })
    expect(fake.github.requests).toEqual([])
  })

  it('admits an active team member, looked up through the API, and refuses a pending one', async () => {
    fake.github.teams.set('acme/sre', new Map([['carol', 'active'], ['dave', 'pending']]))
    const access = lookup()
    expect(await authorizeGateAction({ gate: gate(['user:bob', 'team:acme/sre']), actor: 'carol', ...access })).toEqual({ allowed: true, reviewer: 'user:carol' })
    expect(await authorizeGateAction({ gate: gate(['team:acme/sre']), actor: 'dave', ...access })).toMatchObject({ allowed: false, reason: 'NotEligible' })
    expect(await authorizeGateAction({ gate: gate(['team:acme/sre']), actor: 'eve', ...access })).toMatchObject({ allowed: false, reason: 'NotEligible' })
    expect(fake.github.requests.map((r) => [r.operation, r.path.split('/').pop(), r.status])).toEqual([
      ['teams/get-membership-for-user-in-org', 'carol', 200],
      ['teams/get-membership-for-user-in-org', 'dave', 200],
      ['teams/get-membership-for-user-in-org', 'eve', 404],
    ])
  })

  it('admits anyone with write access when the Gate lists no reviewers', async () => {
    fake.github.permissions.set('acme/plans', new Map([['carol', 'write'], ['mona', 'maintain'], ['ada', 'admin'], ['rita', 'read'], ['tess', 'triage']]))
    const access = lookup()
    const decide = async (actor: string) => (await authorizeGateAction({ gate: gate([]), actor, ...access })).allowed
    expect(await Promise.all(['carol', 'mona', 'ada', 'rita', 'tess', 'zed'].map(decide))).toEqual([true, true, true, false, false, false])
    expect((await authorizeGateAction({ gate: gate(), actor: 'carol', ...access })).allowed).toBe(true)
  })

  it('refuses the author of the change, even when listed, before any lookup', async () => {
    expect(await authorizeGateAction({ gate: gate(['user:amy', 'team:acme/sre']), actor: 'Amy', author: ['amy', 'bob'], ...lookup() })).toEqual({
      allowed: false,
      reviewer: 'user:amy',
      reason: 'SelfApproval',
    })
    expect(await authorizeGateAction({ gate: gate([]), actor: 'bob', author: ['amy', 'bob'], ...lookup() })).toMatchObject({ reason: 'SelfApproval' })
    expect(fake.github.requests).toEqual([])
  })

  it('never matches a GitHub commenter to email: or svc: reviewers', async () => {
    const result = await authorizeGateAction({ gate: gate(['email:bob@example.com', 'svc:bob']), actor: 'bob', ...lookup() })
    expect(result).toMatchObject({ allowed: false, reason: 'NotEligible' })
  })

  it('throws a coded error when a lookup fails for another reason than 404', async () => {
    fake.github.fail({ operation: 'teams/get-membership-for-user-in-org', status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com' } })
    await expect(authorizeGateAction({ gate: gate(['team:acme/sre']), actor: 'carol', ...lookup() })).rejects.toMatchObject({ code: GITHUB_ERROR_CODES.unauthorized })
  })

  it('resolves the teams and writers core decideGate needs for a set of reviewers', async () => {
    fake.github.teams.set('acme/sre', new Map([['carol', 'active']]))
    fake.github.teams.set('acme/ops', new Map([['dave', 'active']]))
    const facts = await resolveReviewerFacts({ gate: gate(['user:bob', 'team:acme/sre', 'team:acme/ops']), subjects: ['user:bob', 'carol', 'user:dave', 'svc:ci'], lookup: lookup() })
    expect(facts).toEqual({ teams: new Map([['team:acme/sre', ['carol']], ['team:acme/ops', ['dave']]]), writers: [] })
  })
})
