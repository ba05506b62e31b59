import { describe, expect, it } from 'vitest'
import { upsertStickyComment, GITHUB_ERROR_CODES } from '../src/index.js'
import { createVirtualClock } from './support/virtual-clock.js'
import { useFakeGitHub } from './support/use-fake-github.js'

const fake = useFakeGitHub()
const repo = { owner: 'acme', repo: 'plans' }

describe('upsertStickyComment', () => {
  it('creates the comment, then updates the same comment, then leaves it unchanged', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    const first = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: '## Review\nv1' })
    const second = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: '## Review\nv2' })
    const third = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: '## Review\nv2' })
    expect([first.outcome, second.outcome, third.outcome]).toEqual(['created', 'updated', 'unchanged'])
    expect(second.commentId).toBe(first.commentId)
    expect(third.commentId).toBe(first.commentId)
    const comments = github.commentsOn('acme', 'plans', 1)
    expect(comments).toHaveLength(1)
    expect(comments[0]?.body).toBe('<!-- planspec:review -->\n## Review\nv2')
    expect(github.writes()).toHaveLength(2)
  })

  it('keeps a body that already starts with its marker as it is', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: '<!-- planspec:review -->\nbody' })
    expect(github.commentsOn('acme', 'plans', 1).map((c) => c.body)).toEqual(['<!-- planspec:review -->\nbody'])
  })

  it('finds its comment among hundreds of others, on a later page', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    for (let i = 0; i < 230; i += 1) github.addComment('acme', 'plans', 1, 'bob', `chatter ${i}`)
    const created = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'progress/default/run', body: 'a' })
    for (let i = 0; i < 30; i += 1) github.addComment('acme', 'plans', 1, 'bob', `more ${i}`)
    const updated = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'progress/default/run', body: 'b' })
    expect(updated).toMatchObject({ outcome: 'updated', commentId: created.commentId })
    expect(github.commentsOn('acme', 'plans', 1)).toHaveLength(261)
  })

  it('keeps comments with different markers apart', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: 'r' })
    await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review-2', body: 'x' })
    expect(github.commentsOn('acme', 'plans', 1).map((c) => c.body)).toEqual(['<!-- planspec:review -->\nr', '<!-- planspec:review-2 -->\nx'])
  })

  it('passes over a comment someone else wrote with its marker and keeps its own', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    github.addComment('acme', 'plans', 1, 'mallory', '<!-- planspec:review -->\nfake review: all good')
    const first = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: 'real' })
    const second = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: 'real v2' })
    expect(first.outcome).toBe('created')
    expect(second).toMatchObject({ outcome: 'updated', commentId: first.commentId })
    expect(github.commentsOn('acme', 'plans', 1).map((c) => [c.author, c.body])).toEqual([
      ['mallory', '<!-- planspec:review -->\nfake review: all good'],
      ['github-actions[bot]', '<!-- planspec:review -->\nreal v2'],
    ])
  })

  it('cuts a body over 65,535 characters so GitHub accepts it', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    const result = await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: `${'x'.repeat(70_000)}😀` })
    const stored = github.commentsOn('acme', 'plans', 1)[0]?.body ?? ''
    expect(stored.length).toBeLessThanOrEqual(65_535)
    expect(stored).toMatch(/65,535-character comment limit\)$/)
    expect(result.body).toBe(stored)
  })

  it('throws what GitHub answers to the update other than 403 and 404', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    await upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: 'a' })
    github.fail({ operation: 'issues/update-comment', status: 422 })
    await expect(upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: 'b' })).rejects.toMatchObject({ code: GITHUB_ERROR_CODES.invalid })
    expect(github.commentsOn('acme', 'plans', 1)).toHaveLength(1)
  })

  it('throws a coded error when the pull request does not exist', async () => {
    await expect(upsertStickyComment({ octokit: fake.octokit, ...repo, issueNumber: 404, marker: 'review', body: 'x' })).rejects.toMatchObject({
      code: GITHUB_ERROR_CODES.notFound,
      status: 404,
      terminal: true,
    })
  })

  it('waits out a secondary rate limit on the write and then writes once', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 1, author: 'amy' })
    github.fail({ operation: 'issues/create-comment', status: 403, headers: { 'retry-after': '30' }, body: { message: 'You have exceeded a secondary rate limit.', documentation_url: 'https://docs.github.com/rest' } })
    const clock = createVirtualClock()
    expect((await clock.drive(upsertStickyComment({ octokit, ...repo, issueNumber: 1, marker: 'review', body: 'x', clock }))).outcome).toBe('created')
    expect(clock.sleeps).toEqual([30_000])
    expect(github.commentsOn('acme', 'plans', 1)).toHaveLength(1)
  })
})
