import { describe, expect, it } from 'vitest'
import { commitStateForPhase, executionStatusContext, GITHUB_ERROR_CODES, setCommitStatus } from '../src/index.js'
import { createVirtualClock } from './support/virtual-clock.js'
import { useFakeGitHub } from './support/use-fake-github.js'

const fake = useFakeGitHub()
const repo = { owner: 'acme', repo: 'plans' }
const sha = 'c'.repeat(40)

describe('setCommitStatus', () => {
  it('sets a status named after the Execution on the commit', async () => {
    const result = await setCommitStatus({
      octokit: fake.octokit,
      ...repo,
      sha,
      context: executionStatusContext('default', 'release-1'),
      state: 'pending',
      description: 'Running: 3 of 7 nodes done',
      targetUrl: 'https://github.com/acme/plans/pull/1#issuecomment-1',
    })
    expect(result).toMatchObject({ context: 'planspec/default/release-1', state: 'pending' })
    expect(fake.github.statuses).toEqual([
      expect.objectContaining({ sha, context: 'planspec/default/release-1', state: 'pending', description: 'Running: 3 of 7 nodes done', targetUrl: 'https://github.com/acme/plans/pull/1#issuecomment-1' }),
    ])
  })

  it('cuts the description to 140 characters on one line, which GitHub accepts', async () => {
    const description = `Failed:\nnode ${'x'.repeat(300)}`
    const result = await setCommitStatus({ octokit: fake.octokit, ...repo, sha, context: 'planspec/default/a', state: 'failure', description })
    const stored = fake.github.statuses[0]?.description ?? ''
    expect(stored).toHaveLength(140)
    expect(stored.startsWith('Failed: node xxx')).toBe(true)
    expect(stored.endsWith('…')).toBe(true)
    expect(result.description).toBe(stored)
  })

  it('retries a 502 with backoff and stores one status', async () => {
    fake.github.fail({ operation: 'repos/create-commit-status', status: 502, times: 2 })
    const clock = createVirtualClock()
    await clock.drive(setCommitStatus({ octokit: fake.octokit, ...repo, sha, context: 'c', state: 'success', description: 'ok', clock }))
    expect(clock.sleeps).toEqual([1000, 2000])
    expect(fake.github.statuses).toHaveLength(1)
  })

  it('gives up after the retries with a non-terminal unavailable error', async () => {
    fake.github.fail({ operation: 'repos/create-commit-status', status: 503, times: 10 })
    const clock = createVirtualClock()
    const failure = await clock.drive(setCommitStatus({ octokit: fake.octokit, ...repo, sha, context: 'c', state: 'success', description: 'ok', clock }).catch((e: unknown) => e))
    expect(failure).toMatchObject({ code: GITHUB_ERROR_CODES.unavailable, status: 503, terminal: false, data: { operation: 'repos.createCommitStatus' } })
    expect(clock.sleeps).toEqual([1000, 2000, 4000])
    expect(fake.github.statuses).toEqual([])
  })

  it('reports a 422 as a terminal invalid error without retrying', async () => {
    fake.github.fail({ operation: 'repos/create-commit-status', status: 422 })
    const clock = createVirtualClock()
    await expect(setCommitStatus({ octokit: fake.octokit, ...repo, sha, context: 'c', state: 'success', description: 'ok', clock })).rejects.toMatchObject({
      code: GITHUB_ERROR_CODES.invalid,
      terminal: true,
    })
    expect(clock.sleeps).toEqual([])
  })

  it('maps Execution phases to commit states', () => {
    expect(['Pending', 'Running', 'Blocked', 'Succeeded', 'Failed', 'Cancelled', undefined].map(commitStateForPhase)).toEqual([
      'pending',
      'pending',
      'pending',
      'success',
      'failure',
      'error',
      'pending',
    ])
  })
})
