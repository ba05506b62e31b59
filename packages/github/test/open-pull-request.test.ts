import { afterEach, describe, expect, it } from 'vitest'
import { commentOnPullRequestOf, findPullRequestOfCommit, GITHUB_ERROR_CODES, openPullRequest } from '../src/index.js'
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js'
import { createTestOctokit } from './support/test-octokit.js'

let github: FakeGitHub | undefined
afterEach(async () => {
  const violations = github?.violations ?? []
  await github?.close()
  expect(violations).toEqual([])
})

const heads: Record<string, string> = { main: 'b'.repeat(40), 'planspec/proposals/docs-v2': 'c'.repeat(40) }

describe('openPullRequest', () => {
  it('opens a pull request of the proposal branch into the tracked branch, and is refused for an unknown branch or a second one', async () => {
    github = await startFakeGitHub({ branchHead: (_owner, _repo, branch) => heads[branch] })
    const octokit = createTestOctokit(github)
    const opened = await openPullRequest({ octokit, owner: 'acme', repo: 'plans', head: 'planspec/proposals/docs-v2', base: 'main', title: 'Propose plan docs-v2', body: 'Proposed by svc:docs-writer' })
    expect(opened).toEqual({ number: 1, url: 'https://github.com/acme/plans/pull/1' })
    expect(github.pulls.get('acme/plans#1')).toMatchObject({ headRef: 'planspec/proposals/docs-v2', headSha: 'c'.repeat(40), baseRef: 'main', title: 'Propose plan docs-v2', body: 'Proposed by svc:docs-writer', author: 'github-actions[bot]' })
    await expect(openPullRequest({ octokit, owner: 'acme', repo: 'plans', head: 'planspec/proposals/docs-v2', base: 'main', title: 'again', body: '' })).rejects.toMatchObject({ code: GITHUB_ERROR_CODES.invalid, data: expect.objectContaining({ status: 422 }) })
    await expect(openPullRequest({ octokit, owner: 'acme', repo: 'plans', head: 'no-such-branch', base: 'main', title: 'x', body: '' })).rejects.toMatchObject({ data: expect.objectContaining({ status: 422 }) })
  })
})

describe('commentOnPullRequestOf', () => {
  it('comments on the pull request that brought a commit, and posts nothing when none did', async () => {
    github = await startFakeGitHub()
    const octokit = createTestOctokit(github)
    const pr = github.addPullRequest({ owner: 'acme', repo: 'plans', number: 7, author: 'ann' })
    expect(await findPullRequestOfCommit({ octokit, owner: 'acme', repo: 'plans', commit: pr.headSha })).toBe(7)
    const posted = await commentOnPullRequestOf({ octokit, owner: 'acme', repo: 'plans', commit: pr.headSha, body: 'Approval requested by svc:writer-claude' })
    expect(posted).toMatchObject({ number: 7, url: expect.stringContaining('/pull/7#issuecomment-') })
    expect(github.commentsOn('acme', 'plans', 7).map((c) => c.body)).toEqual(['Approval requested by svc:writer-claude'])
    expect(await commentOnPullRequestOf({ octokit, owner: 'acme', repo: 'plans', commit: 'f'.repeat(40), body: 'nobody reads this' })).toBeUndefined()
    expect(github.comments.size).toBe(1)
  })
})
