import { describe, expect, it } from 'vitest'
import { handleCommentCommands, pollCommentCommands } from '../src/index.js'
import { createCommandWorld } from './support/command-world.js'
import { useFakeGitHub } from './support/use-fake-github.js'

const fake = useFakeGitHub()
const repo = { owner: 'acme', repo: 'plans' }

describe('pollCommentCommands', () => {
  it('picks up the same commands as the webhook and handles each once', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 12, author: 'amy' })
    const world = createCommandWorld({ octokit, ...repo, now: () => github.now() })
    world.addGate('prod', { reviewers: ['user:bob', 'user:amy'] })
    const since = github.now()
    github.addComment('acme', 'plans', 12, 'carol', 'Just chatting')
    const approval = github.addComment('acme', 'plans', 12, 'bob', 'LGTM\n/planspec approve prod')
    const self = github.addComment('acme', 'plans', 12, 'amy', '/planspec approve prod')

    const first = await pollCommentCommands({ octokit, ...repo, since })
    expect(first.comments.map((c) => [c.id, c.author, c.pullRequestAuthor])).toEqual([
      [approval.id, 'bob', 'amy'],
      [self.id, 'amy', 'amy'],
    ])
    for (const comment of first.comments) await handleCommentCommands({ octokit, comment, resolver: world.resolver, onCommand: (r) => world.onCommand(r) })
    expect(world.phaseOf('prod')).toBe('Approved')
    expect(world.requests.map((r) => r.actor)).toEqual(['user:bob'])
    const bodies = github.commentsOn('acme', 'plans', 12).map((c) => c.body)
    expect(bodies.filter((b) => b.startsWith(`<!-- planspec:reply/${approval.id} -->`))).toEqual([expect.stringContaining('✅ `approve prod` recorded')])
    expect(bodies.filter((b) => b.startsWith(`<!-- planspec:reply/${self.id} -->`))).toEqual([expect.stringContaining('separation of duties')])

    const second = await pollCommentCommands({ octokit, ...repo, since: first.next })
    expect(second.comments).toEqual([])
    expect(second.next >= first.next).toBe(true)
  })

  it('skips comments on issues, from bots, and edited comments created before since', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 12, author: 'amy' })
    const old = github.addComment('acme', 'plans', 12, 'bob', 'old')
    const since = github.addComment('acme', 'plans', 12, 'carol', 'later').createdAt
    old.body = '/planspec approve prod'
    old.updatedAt = github.now()
    github.addComment('acme', 'plans', 3, 'bob', '/planspec approve prod')
    github.addComment('acme', 'plans', 12, 'renovate[bot]', '/planspec approve prod')
    github.addComment('acme', 'plans', 12, 'bob', '> /planspec approve quoted\n\nnope')
    github.addComment('acme', 'plans', 12, 'bob', '/planspec retry run-1')
    expect((await pollCommentCommands({ octokit, ...repo, since })).comments.map((c) => c.body)).toEqual(['/planspec retry run-1'])
  })

  it('does not let a forged reply marker from a person silence a command', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 12, author: 'amy' })
    const since = github.now()
    const command = github.addComment('acme', 'plans', 12, 'bob', '/planspec approve prod')
    github.addComment('acme', 'plans', 12, 'mallory', `<!-- planspec:reply/${command.id} -->\nhandled, nothing to see`)
    expect((await pollCommentCommands({ octokit, ...repo, since })).comments.map((c) => c.id)).toEqual([command.id])
    expect((await pollCommentCommands({ octokit, ...repo, since, replyAuthor: 'mallory' })).comments).toEqual([])
  })

  it('throws a coded error when GitHub fails to say whose pull request it is', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 12, author: 'amy' })
    const since = github.now()
    github.addComment('acme', 'plans', 12, 'bob', '/planspec approve prod')
    github.fail({ operation: 'pulls/get', status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com' } })
    await expect(pollCommentCommands({ octokit, ...repo, since })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_GITHUB_UNAUTHORIZED' })
  })

  it('pages through many comments', async () => {
    const { github, octokit } = fake
    github.addPullRequest({ ...repo, number: 12, author: 'amy' })
    const since = github.now()
    for (let i = 0; i < 250; i += 1) github.addComment('acme', 'plans', 12, 'bob', i % 50 === 49 ? `/planspec retry run-${i}` : `note ${i}`)
    const polled = await pollCommentCommands({ octokit, ...repo, since })
    expect(polled.comments.map((c) => c.body)).toEqual(['/planspec retry run-49', '/planspec retry run-99', '/planspec retry run-149', '/planspec retry run-199', '/planspec retry run-249'])
    expect(github.requests.filter((r) => r.operation === 'pulls/get')).toHaveLength(1)
  })
})
