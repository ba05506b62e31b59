import { describe, expect, it, vi } from 'vitest'
import { createProgressReporter, GITHUB_ERROR_CODES, type ProgressUpdate } from '../src/index.js'
import { createVirtualClock } from './support/virtual-clock.js'
import { useFakeGitHub } from './support/use-fake-github.js'

const fake = useFakeGitHub()
const INTERVAL = 10_000

function update(body: string, overrides: Partial<ProgressUpdate> = {}): ProgressUpdate {
  return { owner: 'acme', repo: 'plans', namespace: 'default', execution: 'release-1', pullRequest: 1, body, ...overrides }
}

describe('createProgressReporter', () => {
  it('coalesces many reports in one interval into one write with the latest state', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    for (let i = 1; i <= 50; i += 1) progress.report(update(`step ${i}`))
    await clock.advance(0)
    await vi.waitFor(() => expect(fake.github.writes()).toHaveLength(1))
    expect(fake.github.commentsOn('acme', 'plans', 1)[0]?.body).toContain('step 50')
    for (let i = 51; i <= 70; i += 1) {
      progress.report(update(`step ${i}`))
      await clock.advance(100)
    }
    expect(fake.github.writes()).toHaveLength(1)
    await clock.advance(INTERVAL)
    await vi.waitFor(() => expect(fake.github.writes()).toHaveLength(2))
    const comments = fake.github.commentsOn('acme', 'plans', 1)
    expect(comments.map((c) => c.body)).toEqual(['<!-- planspec:progress/default/release-1 -->\nstep 70'])
    expect(fake.github.writes().map((w) => w.operation)).toEqual(['issues/create-comment', 'issues/update-comment'])
    expect(await progress.flush()).toEqual([
      { subject: 'execution/default/release-1', comment: 'created', commentId: comments[0]?.id },
      { subject: 'execution/default/release-1', comment: 'updated', commentId: comments[0]?.id },
    ])
  })

  it('keeps one comment per Execution and sends each on its own schedule', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('a1'))
    progress.report(update('b1', { execution: 'release-2' }))
    await clock.advance(0)
    progress.report(update('a2'))
    progress.report(update('b2', { execution: 'release-2' }))
    await progress.flush()
    expect(fake.github.commentsOn('acme', 'plans', 1).map((c) => c.body)).toEqual([
      '<!-- planspec:progress/default/release-1 -->\na2',
      '<!-- planspec:progress/default/release-2 -->\nb2',
    ])
  })

  it('flushes the pending update at the end without waiting for the interval', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('running'))
    await clock.advance(0)
    progress.report(update('succeeded'))
    const outcomes = await progress.flush()
    expect(clock.now() - Date.parse('2026-01-01T00:00:00Z')).toBe(0)
    expect(fake.github.commentsOn('acme', 'plans', 1)[0]?.body).toContain('succeeded')
    expect(outcomes.map((o) => o.comment)).toEqual(['created', 'updated'])
  })

  it('does not write an unchanged body or status again', async () => {
    const pr = fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    const status = { state: 'pending' as const, description: 'Running' }
    progress.report(update('same', { commit: pr.headSha, status }))
    await progress.flush()
    progress.report(update('same', { commit: pr.headSha, status }))
    expect(await progress.flush()).toEqual([{ subject: 'execution/default/release-1', comment: 'unchanged', commentId: expect.any(Number), status: 'unchanged' }])
    expect(fake.github.writes().map((w) => w.operation)).toEqual(['issues/create-comment', 'repos/create-commit-status'])
  })

  it('finds the pull request that introduced the commit and sets the Execution status on it', async () => {
    const pr = fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 4, author: 'amy' })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('done', { pullRequest: undefined, commit: pr.headSha, status: { state: 'success', description: 'Succeeded' } }))
    await progress.flush()
    expect(fake.github.commentsOn('acme', 'plans', 4)).toHaveLength(1)
    expect(fake.github.statuses).toEqual([expect.objectContaining({ sha: pr.headSha, context: 'planspec/default/release-1', state: 'success' })])
  })

  it('skips the comment when no pull request introduced the commit', async () => {
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('x', { pullRequest: undefined, commit: 'd'.repeat(40) }))
    expect(await progress.flush()).toEqual([{ subject: 'execution/default/release-1', comment: 'skipped' }])
    expect(fake.github.writes()).toEqual([])
  })

  it('waits until the rate limit resets (403, x-ratelimit-remaining 0) and then writes', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    const clock = createVirtualClock()
    const reset = Math.floor(clock.now() / 1000) + 600
    fake.github.fail({
      operation: 'issues/list-comments',
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
    })
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('x'))
    await clock.advance(0)
    await vi.waitFor(() => expect(clock.pending).toBe(1))
    expect(fake.github.commentsOn('acme', 'plans', 1)).toHaveLength(0)
    expect(await clock.drive(progress.flush())).toEqual([expect.objectContaining({ comment: 'created' })])
    expect(clock.sleeps).toContain(601_000)
    expect(clock.now()).toBeGreaterThanOrEqual(reset * 1000)
    expect(fake.github.commentsOn('acme', 'plans', 1)).toHaveLength(1)
  })

  it('honours retry-after on a 429', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    fake.github.fail({ operation: 'issues/create-comment', status: 429, headers: { 'retry-after': '45' } })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('x'))
    await clock.drive(progress.flush())
    expect(clock.sleeps).toContain(45_000)
    expect(fake.github.commentsOn('acme', 'plans', 1)).toHaveLength(1)
  })

  it('reports a rate limit that resets too late as a coded outcome', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    const clock = createVirtualClock()
    const reset = Math.floor(clock.now() / 1000) + 3600
    fake.github.fail({ operation: 'issues/list-comments', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } })
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('x'))
    const [outcome] = await clock.drive(progress.flush())
    expect(outcome?.error).toMatchObject({ code: GITHUB_ERROR_CODES.rateLimited, terminal: false, data: { retryAt: reset * 1000 + 1000 } })
  })

  it('retries 5xx with backoff', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    fake.github.fail({ operation: 'issues/create-comment', status: 500, times: 2 })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('x'))
    await clock.drive(progress.flush())
    expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([1000, 2000])
    expect(fake.github.commentsOn('acme', 'plans', 1)).toHaveLength(1)
  })

  it('reports 404 and 422 as coded errors, never as a crash, and keeps going', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    fake.github.fail({ operation: 'issues/create-comment', status: 422 })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('to a missing pull request', { pullRequest: 99 }))
    progress.report(update('refused', { execution: 'release-2' }))
    const failed = await progress.flush()
    expect(failed.map((o) => [o.subject, o.error?.code])).toEqual([
      ['execution/default/release-1', GITHUB_ERROR_CODES.notFound],
      ['execution/default/release-2', GITHUB_ERROR_CODES.invalid],
    ])
    progress.report(update('accepted now', { execution: 'release-2' }))
    await clock.advance(INTERVAL)
    expect(await progress.flush()).toEqual([expect.objectContaining({ subject: 'execution/default/release-2', comment: 'created' })])
  })

  it('recreates its comment when someone deleted it', async () => {
    fake.github.addPullRequest({ owner: 'acme', repo: 'plans', number: 1, author: 'amy' })
    const clock = createVirtualClock()
    const progress = createProgressReporter({ octokit: fake.octokit, clock, intervalMs: INTERVAL })
    progress.report(update('one'))
    await progress.flush()
    fake.github.comments.clear()
    progress.report(update('two'))
    await progress.flush()
    expect(fake.github.commentsOn('acme', 'plans', 1).map((c) => c.body)).toEqual(['<!-- planspec:progress/default/release-1 -->\ntwo'])
  })
})
