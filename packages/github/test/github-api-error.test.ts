import { Octokit } from '@octokit/rest'
import { describe, expect, it } from 'vitest'
import { GITHUB_ERROR_CODES, GitHubApiError, redactToken, setCommitStatus, upsertStickyComment } from '../src/index.js'
import { quietLog } from './support/test-octokit.js'
import { TEST_TOKEN } from './support/fake-github.js'
import { createVirtualClock } from './support/virtual-clock.js'
import { useFakeGitHub } from './support/use-fake-github.js'

const fake = useFakeGitHub()

describe('GitHub errors', () => {
  it('redacts GitHub tokens, token and Bearer credentials and URL userinfo', () => {
    expect(redactToken(`auth ghp_${'a'.repeat(36)} and github_pat_${'B'.repeat(30)}`)).toBe('auth [REDACTED] and [REDACTED]')
    expect(redactToken('Authorization: token abcdefgh12345678 and Bearer eyJhbGciOi.x.y')).toBe('Authorization: token [REDACTED] and Bearer [REDACTED]')
    expect(redactToken('clone https://x-access-token:secret@github.com/acme/plans')).toBe('clone https://[REDACTED]@github.com/acme/plans')
    expect(redactToken('nothing secret here')).toBe('nothing secret here')
  })

  it('redacts in linear time on adversarial input (no ReDoS)', () => {
    const inputs = ['ghp_'.repeat(20_000), `token ${' '.repeat(50_000)}`, `${'https://'.repeat(10_000)}a`, `bearer ${'a'.repeat(100_000)}`, 'gh'.repeat(50_000)]
    for (const input of inputs) {
      const start = performance.now()
      redactToken(input)
      expect(performance.now() - start).toBeLessThan(200)
    }
  })

  it('never carries the token in an error or its JSON, whatever fails', async () => {
    const octokit = new Octokit({ auth: TEST_TOKEN, baseUrl: fake.github.url, log: quietLog })
    const clock = createVirtualClock()
    fake.github.fail({ operation: 'repos/create-commit-status', status: 403, body: { message: `token ${TEST_TOKEN} is not allowed`, documentation_url: 'https://docs.github.com' } })
    const errors: unknown[] = []
    errors.push(await setCommitStatus({ octokit, owner: 'acme', repo: 'plans', sha: 'a'.repeat(40), context: 'c', state: 'success', description: 'x', clock }).catch((e: unknown) => e))
    errors.push(await upsertStickyComment({ octokit, owner: 'acme', repo: 'plans', issueNumber: 9, marker: 'm', body: 'x', clock }).catch((e: unknown) => e))
    const unreachable = new Octokit({ auth: TEST_TOKEN, baseUrl: 'http://127.0.0.1:1', log: quietLog })
    const offline = upsertStickyComment({ octokit: unreachable, owner: 'acme', repo: 'plans', issueNumber: 9, marker: 'm', body: 'x', clock }).catch((e: unknown) => e)
    errors.push(await clock.drive(offline))
    expect(errors.map((e) => (e as GitHubApiError).code)).toEqual([GITHUB_ERROR_CODES.forbidden, GITHUB_ERROR_CODES.notFound, GITHUB_ERROR_CODES.unavailable])
    for (const error of errors) {
      expect(error).toBeInstanceOf(GitHubApiError)
      const text = `${String((error as Error).message)} ${JSON.stringify(error)}`
      for (const form of [TEST_TOKEN, Buffer.from(TEST_TOKEN).toString('base64'), encodeURIComponent(TEST_TOKEN)]) expect(text).not.toContain(form)
    }
    expect((errors[0] as GitHubApiError).message).toBe('GitHub repos.createCommitStatus answered 403: token [REDACTED] is not allowed')
  })
})
