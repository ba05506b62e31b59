import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js'
import { loadOpenApiContract } from './support/openapi-contract.js'
import { createTestOctokit } from './support/test-octokit.js'
import { issueCommentCreated } from './support/webhook-payloads.js'

let github: FakeGitHub
beforeEach(async () => {
  github = await startFakeGitHub()
})
afterEach(async () => {
  await github.close()
})

describe('the fake GitHub', () => {
  it('answers every operation PlanSpec uses with bodies that match the published description', async () => {
    const octokit = createTestOctokit(github)
    const pr = github.addPullRequest({
      owner: 'acme',
      repo: 'plans',
      number: 7,
      author: 'amy',
      files: [
        { filename: 'plans/a.yaml', status: 'modified' },
        { filename: 'x/b.yaml', status: 'renamed', previousFilename: 'x/a.yaml' },
        { filename: 'gone.yaml', status: 'removed' },
      ],
    })
    github.putFile('acme', 'plans', 'main', 'plans/a.yaml', 'kind: Plan\n')
    github.teams.set('acme/sre', new Map([['bob', 'active']]))
    github.permissions.set('acme/plans', new Map([['carol', 'write']]))
    const created = await octokit.rest.issues.createComment({ owner: 'acme', repo: 'plans', issue_number: 7, body: 'hi' })
    await octokit.rest.issues.updateComment({ owner: 'acme', repo: 'plans', comment_id: created.data.id, body: 'hello' })
    await octokit.rest.issues.listComments({ owner: 'acme', repo: 'plans', issue_number: 7, per_page: 100 })
    await octokit.rest.issues.listCommentsForRepo({ owner: 'acme', repo: 'plans', since: '2025-01-01T00:00:00Z', sort: 'created', direction: 'asc' })
    await octokit.rest.repos.createCommitStatus({ owner: 'acme', repo: 'plans', sha: pr.headSha, state: 'pending', context: 'planspec/default/run', description: 'x', target_url: 'https://example.com' })
    await octokit.rest.pulls.get({ owner: 'acme', repo: 'plans', pull_number: 7 })
    await octokit.rest.pulls.listFiles({ owner: 'acme', repo: 'plans', pull_number: 7, per_page: 100 })
    await octokit.rest.repos.getContent({ owner: 'acme', repo: 'plans', path: 'plans/a.yaml', ref: 'main' })
    await octokit.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'sre', username: 'bob' })
    await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'plans', username: 'carol' })
    await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'plans', username: 'dave' })
    await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: 'acme', repo: 'plans', commit_sha: pr.headSha })
    await expect(octokit.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'sre', username: 'eve' })).rejects.toMatchObject({ status: 404 })
    expect(github.violations).toEqual([])
    expect(new Set(github.requests.map((r) => r.operation)).size).toBe(11)
  })

  it('records a request whose body, query or path does not match the description', async () => {
    const octokit = createTestOctokit(github)
    // Untyped on purpose: these requests break the description.
    const raw = (route: string, parameters: Record<string, unknown> = {}) => octokit.request(route, parameters)
    github.addPullRequest({ owner: 'acme', repo: 'plans', number: 7, author: 'amy' })
    await raw('POST /repos/{owner}/{repo}/statuses/{sha}', { owner: 'acme', repo: 'plans', sha: 'abc', state: 'bogus', context: 'c' }).catch(() => undefined)
    await raw('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'plans', issue_number: 7, colour: 'red' })
    await raw('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'plans', issue_number: 'seven' }).catch(() => undefined)
    await raw('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'plans', issue_number: 7 }).catch(() => undefined)
    await raw('GET /no/such/endpoint').catch(() => undefined)
    expect(github.violations).toEqual([
      expect.stringMatching(/statuses\/abc: request body\/state must be equal to one of the allowed values/),
      expect.stringMatching(/query parameter colour is not declared by issues\/list-comments/),
      expect.stringMatching(/path parameter issue_number must be integer/),
      expect.stringMatching(/issues\/7\/comments: issues\/create-comment requires a request body/),
      expect.stringMatching(/GET \/no\/such\/endpoint matches no operation/),
    ])
  })

  it('records a response that does not match the description', async () => {
    const octokit = createTestOctokit(github)
    github.addPullRequest({ owner: 'acme', repo: 'plans', number: 7, author: 'amy' })
    github.fail({ operation: 'issues/list-comments', status: 200, body: [{ id: 'not-a-number' }] })
    github.fail({ operation: 'repos/create-commit-status', status: 418, body: { message: 'teapot' } })
    await octokit.rest.issues.listComments({ owner: 'acme', repo: 'plans', issue_number: 7 })
    await octokit.rest.repos.createCommitStatus({ owner: 'acme', repo: 'plans', sha: 'abc', state: 'success' }).catch(() => undefined)
    expect(github.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/response 200 body\/0 must have required property 'node_id'/),
        expect.stringMatching(/response 200 body\/0\/id must be integer/),
        expect.stringMatching(/repos\/create-commit-status does not document status 418/),
      ]),
    )
  })

  it('checks webhook payloads against the x-webhooks schemas', () => {
    const contract = loadOpenApiContract()
    const payload = issueCommentCreated({ owner: 'acme', repo: 'plans', number: 3, prAuthor: 'amy', commenter: 'bob', body: '/planspec approve x', commentId: 5 })
    expect(contract.checkWebhook('issue-comment-created', payload)).toEqual([])
    expect(contract.checkWebhook('issue-comment-created', { ...payload, comment: { id: 5 } })).not.toEqual([])
  })

  it('answers 401 to an unknown token and 403 to a write with a read-only token', async () => {
    github.addPullRequest({ owner: 'acme', repo: 'plans', number: 7, author: 'amy' })
    github.tokens.set('ghs_readonlyForkToken000000000000000001', { login: 'github-actions[bot]', write: false })
    await expect(createTestOctokit(github, 'ghs_unknownToken0000000000000000000001').rest.pulls.get({ owner: 'acme', repo: 'plans', pull_number: 7 })).rejects.toMatchObject({ status: 401 })
    const readOnly = createTestOctokit(github, 'ghs_readonlyForkToken000000000000000001')
    await expect(readOnly.rest.issues.createComment({ owner: 'acme', repo: 'plans', issue_number: 7, body: 'x' })).rejects.toMatchObject({ status: 403 })
    expect((await readOnly.rest.issues.listComments({ owner: 'acme', repo: 'plans', issue_number: 7 })).data).toEqual([])
    expect(github.violations).toEqual([])
  })
})
