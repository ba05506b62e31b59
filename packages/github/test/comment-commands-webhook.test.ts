import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCommandWorld, type CommandWorld } from './support/command-world.js'
import { useFakeGitHub } from './support/use-fake-github.js'
import { startWebhookApp, type WebhookApp } from './support/webhook-app.js'
import { SECRET } from './support/webhook-app.js'
import { deliveryHeaders, issueCommentCreated } from './support/webhook-payloads.js'

const fake = useFakeGitHub()
const repo = { owner: 'acme', repo: 'plans' }
let world: CommandWorld
let hook: WebhookApp
let nextCommentId = 5000

beforeEach(async () => {
  fake.github.addPullRequest({ ...repo, number: 12, author: 'amy' })
  world = createCommandWorld({ octokit: fake.octokit, ...repo, now: () => fake.github.now() })
  hook = await startWebhookApp({ octokit: fake.octokit, world, repository: repo })
})
afterEach(async () => {
  await hook.app.close()
  expect(hook.errors).toEqual([])
})

/** Delivers a signed comment and waits until it was handled. */
async function comment(commenter: string, body: string, overrides: Partial<Parameters<typeof issueCommentCreated>[0]> = {}): Promise<number> {
  const before = hook.handled.length
  const response = await hook.deliver('issue_comment', issueCommentCreated({ ...repo, number: 12, prAuthor: 'amy', commenter, body, commentId: (nextCommentId += 1), ...overrides }))
  expect(response.statusCode).toBe(202)
  await hook.waitForHandled(before + 1)
  return nextCommentId
}

const replies = (): string[] => fake.github.commentsOn('acme', 'plans', 12).map((c) => c.body)

describe('comment commands over the webhook', () => {
  it('records an approval from an eligible reviewer and replies', async () => {
    world.addGate('prod', { reviewers: ['user:bob'] })
    const id = await comment('bob', 'Ship it.\n/planspec approve prod looks good')
    expect(world.requests).toEqual([
      expect.objectContaining({
        kind: 'gate',
        id: `github-comment/${id}/2`,
        actor: 'user:bob',
        gate: { namespace: 'default', name: 'prod' },
        review: expect.objectContaining({ reviewer: 'user:bob', action: 'approve', targetGeneration: 1, comment: 'looks good', source: expect.stringContaining(`#issuecomment-${id}`) }),
      }),
    ])
    expect(world.phaseOf('prod')).toBe('Approved')
    expect(replies()).toEqual([expect.stringContaining('✅ `approve prod` recorded: the Gate is now approved')])
    expect(replies()[0]).toMatch(new RegExp(`^<!-- planspec:reply/${id} -->`))
  })

  it('refuses the pull request author and says why', async () => {
    world.addGate('prod', { reviewers: ['user:amy', 'user:bob'] })
    await comment('amy', '/planspec approve prod')
    expect(world.requests).toEqual([])
    expect(world.phaseOf('prod')).toBe('Waiting')
    expect(replies()[0]).toContain('⛔ `approve prod` refused: the author of a change cannot approve or reject its own Gate (separation of duties)')
  })

  it('refuses the author of the change that created the Execution', async () => {
    world.addGate('prod', { reviewers: ['user:bob', 'user:carol'] }, 'carol')
    await comment('carol', '/planspec approve prod')
    expect(world.requests).toEqual([])
    expect(replies()[0]).toContain('separation of duties')
  })

  it('refuses someone who is not a reviewer and names the reviewers', async () => {
    world.addGate('prod', { reviewers: ['user:bob', 'team:acme/sre'] })
    await comment('eve', '/planspec approve prod')
    expect(world.requests).toEqual([])
    expect(replies()[0]).toContain('⛔ `approve prod` refused: not a reviewer of this Gate (reviewers: user:bob, team:acme/sre)')
  })

  it('looks team membership up through the API', async () => {
    fake.github.teams.set('acme/sre', new Map([['carol', 'active']]))
    world.addGate('prod', { reviewers: ['team:acme/sre'] })
    await comment('carol', '/planspec approve prod')
    expect(world.phaseOf('prod')).toBe('Approved')
    expect(fake.github.requests.filter((r) => r.operation === 'teams/get-membership-for-user-in-org').map((r) => r.path)).toContain('/orgs/acme/teams/sre/memberships/carol')
  })

  it('refuses an unknown gate', async () => {
    await comment('bob', '/planspec approve nowhere')
    expect(replies()[0]).toContain('⛔ `approve nowhere` refused: there is no Gate nowhere')
  })

  it('answers 401 to a bad or missing signature and handles nothing', async () => {
    world.addGate('prod', { reviewers: ['user:bob'] })
    const payload = issueCommentCreated({ ...repo, number: 12, prAuthor: 'amy', commenter: 'bob', body: '/planspec approve prod', commentId: 1 })
    expect((await hook.deliver('issue_comment', payload, { secret: 'wrong-secret' })).statusCode).toBe(401)
    expect((await hook.deliver('issue_comment', payload, { signature: null })).statusCode).toBe(401)
    expect((await hook.deliver('issue_comment', payload, { signature: 'sha256=00' })).statusCode).toBe(401)
    await hook.app.close()
    expect(world.requests).toEqual([])
    expect(replies()).toEqual([])
    expect(hook.handled).toEqual([])
  })

  it('escapes mentions, references, HTML and Markdown in replies', async () => {
    await comment('bob', '/planspec approve @admin <img src=x onerror=alert(1)> [x](https://evil.example) #1\n/planspec done $(touch pwned) a=b\n/planspec frobnicate @org/team **bold** <script>')
    const reply = replies()[0] ?? ''
    // Inside a code span GitHub renders nothing (no mention, HTML or link): the raw line may stay there.
    const outsideCode = reply.replace(/(`+)(?:(?!\1).)+\1/g, '')
    expect(outsideCode).not.toMatch(/@admin|@org\/team|<img|<script|\]\(https:\/\/evil|#1\b|\*\*bold/)
    expect(reply).toContain('`/planspec approve @admin <img src=x onerror=alert(1)> [x](https://evil.example) #1`')
    expect(reply).toContain('@&#8203;admin is not a Gate name')
    expect(reply).toContain('unknown command frobnicate')
    expect(reply.split('\n').filter((line) => /^ {0,3}\/planspec/.test(line))).toEqual([])
  })

  it('answers 400 to a signed delivery without event headers or with a body that is not JSON', async () => {
    const raw = 'not json'
    const headers = deliveryHeaders('issue_comment', raw, SECRET)
    expect((await hook.app.inject({ method: 'POST', url: '/github/webhook', headers, payload: raw })).statusCode).toBe(400)
    const { 'x-github-event': _event, ...withoutEvent } = deliveryHeaders('issue_comment', '{}', SECRET)
    expect((await hook.app.inject({ method: 'POST', url: '/github/webhook', headers: withoutEvent, payload: '{}' })).statusCode).toBe(400)
    expect((await hook.app.inject({ method: 'POST', url: '/github/webhook', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'payload=%7B%7D' })).statusCode).toBe(415)
  })

  it('records the command even when GitHub refuses the reply, and reports why', async () => {
    world.addGate('prod', { reviewers: ['user:bob'] })
    fake.github.fail({ operation: 'issues/create-comment', status: 422 })
    await comment('bob', '/planspec approve prod')
    expect(world.phaseOf('prod')).toBe('Approved')
    expect(hook.handled.at(-1)?.outcome.replyError).toMatchObject({ code: 'PLANSPEC_ERR_GITHUB_INVALID' })
    expect(replies()).toEqual([])
  })

  it('says when the agent declines to record an approval', async () => {
    world.addGate('prod', { reviewers: ['user:bob'] })
    const record = world.onCommand.bind(world)
    world.onCommand = async (request) => (request.kind === 'gate' ? { outcome: 'refused', message: 'the Gate is not waiting' } : record(request))
    await comment('bob', '/planspec approve prod')
    expect(replies()[0]).toContain('⛔ `approve prod` refused: the Gate is not waiting')
  })

  it('answers 429 beyond the comments it may handle at once', async () => {
    world.addGate('prod', { reviewers: ['user:bob'] })
    const busy = await startWebhookApp({ octokit: fake.octokit, world, repository: repo, maxInFlight: 1 })
    const payload = (id: number) => issueCommentCreated({ ...repo, number: 12, prAuthor: 'amy', commenter: 'bob', body: '/planspec approve prod', commentId: id })
    const answers = [(await busy.deliver('issue_comment', payload(901))).statusCode, (await busy.deliver('issue_comment', payload(902))).statusCode]
    await busy.app.close()
    expect(answers).toEqual([202, 429])
    expect(busy.handled.map((h) => h.comment.id)).toEqual([901])
  })

  it('answers ping and ignores issues, other repositories, bots and other events', async () => {
    world.addGate('prod', { reviewers: ['user:bob'] })
    expect((await hook.deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).statusCode).toBe(200)
    const onIssue = issueCommentCreated({ ...repo, number: 12, prAuthor: 'amy', commenter: 'bob', body: '/planspec approve prod', commentId: 2, pullRequest: false })
    const elsewhere = issueCommentCreated({ owner: 'other', repo: 'repo', number: 12, prAuthor: 'amy', commenter: 'bob', body: '/planspec approve prod', commentId: 3 })
    for (const payload of [onIssue, elsewhere]) expect((await hook.deliver('issue_comment', payload)).statusCode).toBe(202)
    expect((await hook.deliver('push', { ref: 'refs/heads/main' })).statusCode).toBe(202)
    await comment('renovate[bot]', '/planspec approve prod')
    await hook.app.close()
    expect(world.requests).toEqual([])
    expect(replies()).toEqual([])
  })

  it('handles a redelivered comment once: the same request id and one reply', async () => {
    world.addGate('prod', { reviewers: ['user:bob', 'user:carol'], requiredApprovers: 2 })
    const payload = issueCommentCreated({ ...repo, number: 12, prAuthor: 'amy', commenter: 'bob', body: '/planspec approve prod', commentId: 77 })
    await hook.deliver('issue_comment', payload)
    await hook.waitForHandled(1)
    await hook.deliver('issue_comment', payload)
    await hook.waitForHandled(2)
    expect(world.requests).toHaveLength(1)
    expect(replies()).toHaveLength(1)
    expect(world.phaseOf('prod')).toBe('Waiting')
  })

  it('keeps the gate pending for a non-approver, the initiator, N-1 approvals and approvals of an older generation (THREATS T14)', async () => {
    fake.github.teams.set('acme/sre', new Map([['carol', 'active']]))
    world.addGate('prod', { reviewers: ['user:bob', 'team:acme/sre', 'user:amy'], requiredApprovers: 2 })
    await comment('eve', 'approve\n/approve prod\nLGTM, approved!')
    await comment('eve', '/planspec approve prod')
    await comment('amy', '/planspec approve prod')
    await comment('bob', '/planspec approve prod')
    await comment('bob', '/planspec approve prod again')
    expect(world.phaseOf('prod')).toBe('Waiting')
    expect(replies().at(-1)).toContain('1 of 2 required approvals')
    world.editGate('prod')
    await comment('carol', '/planspec approve prod')
    expect(world.phaseOf('prod')).toBe('Waiting')
    expect(replies().at(-1)).toContain('1 of 2 required approvals for generation 2')
    await comment('bob', '/planspec approve prod')
    expect(world.phaseOf('prod')).toBe('Approved')
  })

  it('rejects on any eligible reject', async () => {
    world.addGate('prod', { reviewers: ['user:bob', 'user:carol'], requiredApprovers: 2 })
    await comment('bob', '/planspec approve prod')
    await comment('carol', '/planspec reject prod not during the freeze')
    expect(world.phaseOf('prod')).toBe('Rejected')
    expect(replies().at(-1)).toContain('the Gate is now rejected')
  })

  it('lets a writer retry, cancel and complete work, and refuses a reader', async () => {
    fake.github.permissions.set('acme/plans', new Map([['carol', 'write'], ['rita', 'read']]))
    world.executions.set('default/release-1', { namespace: 'default', name: 'release-1', nodes: ['qa', 'docs'], phase: 'Failed' })
    world.executions.set('default/release-2', { namespace: 'default', name: 'release-2', nodes: ['docs'], phase: 'Running' })
    await comment('carol', '/planspec retry release-1\n/planspec cancel release-2\n/planspec done qa result=pass note="all green"')
    await comment('rita', '/planspec cancel release-1')
    await comment('carol', '/planspec retry release-2\n/planspec retry nope\n/planspec done docs\n/planspec done release-1/nope')
    expect(world.requests.map((r) => [r.kind, r.kind === 'execution' ? r.action : '', r.kind === 'gate' ? '' : r.execution.name])).toEqual([
      ['execution', 'retry', 'release-1'],
      ['execution', 'cancel', 'release-2'],
      ['done', '', 'release-1'],
    ])
    expect(world.requests[2]).toMatchObject({ node: 'qa', outputs: { result: 'pass', note: 'all green' } })
    const [first, second, third] = replies()
    expect(first).toContain('✅ `retry release-1` recorded')
    expect(first).toContain('✅ `done qa` recorded')
    expect(second).toContain('⛔ `cancel release-1` refused: needs write access to the repository')
    expect(third).toContain('⛔ `retry release-2` refused: only a Failed Execution can be retried; it is Running')
    expect(third).toContain('⛔ `retry nope` refused: there is no Execution nope')
    expect(third).toContain('⛔ `done docs` refused: 2 Executions have a node docs: write EXECUTION/docs')
    expect(third).toContain('⛔ `done release-1/nope` refused: Execution release-1 has no node nope')
  })

  it('says so in the reply when GitHub fails a lookup, and records nothing', async () => {
    world.addGate('prod', { reviewers: ['team:acme/sre'] })
    fake.github.fail({ operation: 'teams/get-membership-for-user-in-org', status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com' } })
    await comment('carol', '/planspec approve prod')
    expect(world.requests).toEqual([])
    expect(replies()[0]).toContain('⚠️ `approve prod` failed: could not be handled (PLANSPEC\\_ERR\\_GITHUB\\_UNAUTHORIZED)')
  })
})
