import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import http from 'isomorphic-git/http/node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { gitAgentRepo, type StatusSnapshot } from '@planspec/agent'
import { createBareRepo, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startFakeGitHub, TEST_TOKEN, type FakeGitHub } from '../../github/test/support/fake-github.js'
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadOpenApiContract } from '../../github/test/support/openapi-contract.js'
// eslint-disable-next-line @nx/enforce-module-boundaries
import { deliveryHeaders, issueCommentCreated } from '../../github/test/support/webhook-payloads.js'
import { runCli } from '../src/index.js'
import { REPO } from './helpers.js'

// The real `planspec agent` command (in-process, real flags and environment) against a real
// smart-HTTP git server holding examples/minimal, and a fake GitHub that checks every request and
// response against GitHub's OpenAPI description. The Execution's progress goes to the pull
// request that introduced it; /planspec comments (polled and webhook) decide its Gate.

const OWNER = 'acme'
const NAME = 'plans'
const PR = 7
const PR_AUTHOR = 'amy'
const SECRET = 'github-webhook-secret-for-tests'
const EXECUTION = 'execution/default/changelog-2025-w10'
const GATE = 'gate/default/changelog-approval'
const PROGRESS_MARKER = '<!-- planspec:progress/default/changelog-2025-w10 -->'
const CONTEXT = 'planspec/default/changelog-2025-w10'

let server: GitServer
let url: string
let commit: string
let root: string

function examplesMinimal(): Record<string, string> {
  const base = join(REPO, 'examples/minimal')
  const files: Record<string, string> = {}
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.ya?ml$/.test(entry.name)) files[relative(base, path)] = readFileSync(path, 'utf8')
    }
  }
  walk(base)
  return files
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-agent-github-'))
  const bare = await createBareRepo(root, 'plans.git')
  // The pull request's author wrote the commit that introduced the Execution (GitHub no-reply address).
  commit = await pushFixture({ remote: bare, files: examplesMinimal(), author: { name: 'Merge Bot', email: 'merge-bot@example.com' }, message: 'add the changelog plan' })
  server = await startGitServer({ root })
  url = server.url('plans.git')
})
afterAll(async () => {
  await server?.close()
  rmSync(root, { recursive: true, force: true })
})

const AGENT_KEY = randomBytes(32).toString('base64')

/** Runs `planspec agent` in-process until `stop()`; resolves its listen address from the log. */
function startAgent(github: FakeGitHub): { address: Promise<string>; logs: () => Record<string, unknown>[]; stop: () => Promise<number> } {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const lines: Record<string, unknown>[] = []
  let buffered = ''
  let found: (address: string) => void = () => undefined
  const address = new Promise<string>((resolve) => (found = resolve))
  stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8')
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, at)) as Record<string, unknown>
      buffered = buffered.slice(at + 1)
      lines.push(line)
      if (typeof line.address === 'string') found(line.address)
    }
  })
  stderr.on('data', () => undefined)
  const controller = new AbortController()
  const argv = [
    'agent',
    '--repo', url,
    '--cache-dir', join(root, 'agent-cache'),
    '--workspace', join(root, 'workspace'),
    '--interval', '300ms',
    '--listen', '127.0.0.1:0',
    '--github-repo', `${OWNER}/${NAME}`,
    '--github-api-url', github.url,
    '--github-poll', '300ms',
    '--github-progress-interval', '200ms',
  ]
  const env = { GITHUB_TOKEN: TEST_TOKEN, PLANSPEC_GITHUB_WEBHOOK_SECRET: SECRET, PLANSPEC_LOG_LEVEL: 'info', PLANSPEC_AGENT_KEY: AGENT_KEY }
  const exit = runCli(argv, { stdout, stderr, stdin: Readable.from(['']), cwd: root, env, signal: controller.signal })
  return {
    address,
    logs: () => lines,
    stop: async () => {
      controller.abort()
      return exit
    },
  }
}

/** The status branch as a person's clone reads it. */
async function readStatus(): Promise<StatusSnapshot> {
  return gitAgentRepo({ fs, http, dir: mkdtempSync(join(root, 'reader-')), url }).readStatus()
}

function phaseOf(status: StatusSnapshot, subject: string): unknown {
  return (status.docs.get(subject)?.status as { phase?: string } | undefined)?.phase
}

/** Delivers an `issue_comment` webhook to the agent, signed like GitHub (checked against the description first). */
async function deliverComment(address: string, github: FakeGitHub, commenter: string, body: string, commentId: number): Promise<number> {
  const payload = issueCommentCreated({ owner: OWNER, repo: NAME, number: PR, prAuthor: PR_AUTHOR, commenter, body, commentId, createdAt: github.now() })
  expect(loadOpenApiContract().checkWebhook('issue-comment-created', payload)).toEqual([])
  const raw = JSON.stringify(payload)
  const response = await fetch(`${address}/github/webhook`, { method: 'POST', headers: deliveryHeaders('issue_comment', raw, SECRET), body: raw })
  return response.status
}

function replyTo(github: FakeGitHub, commentId: number): string | undefined {
  return github.commentsOn(OWNER, NAME, PR).find((c) => c.body.startsWith(`<!-- planspec:reply/${commentId} -->`))?.body
}

function progressComments(github: FakeGitHub): { id: number; body: string }[] {
  return github.commentsOn(OWNER, NAME, PR).filter((c) => c.body.startsWith(PROGRESS_MARKER))
}

describe('planspec agent --github-repo', () => {
  it('reports progress to the pull request, refuses the author and non-reviewers, and runs on after a team member approves by comment', async () => {
    const github = await startFakeGitHub({ time: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString() })
    github.addPullRequest({ owner: OWNER, repo: NAME, number: PR, author: PR_AUTHOR, headSha: commit })
    github.teams.set('acme/editors', new Map([['eddie', 'active']]))
    const agent = startAgent(github)
    try {
      const address = await agent.address

      // (a) The sticky progress comment appears and waits on the Gate; the commit status is pending.
      await vi.waitFor(() => {
        const [progress, ...more] = progressComments(github)
        expect(more).toEqual([])
        expect(progress?.body).toContain('Blocked')
        expect(progress?.body).toContain('changelog-approval')
        expect(progress?.body).toContain('team:acme/editors')
      }, { timeout: 20_000, interval: 100 })
      const progressId = progressComments(github)[0]!.id
      await vi.waitFor(() => expect(github.statuses.filter((s) => s.context === CONTEXT).at(-1)).toMatchObject({ sha: commit, state: 'pending' }), { timeout: 5_000, interval: 100 })
      await vi.waitFor(async () => expect(phaseOf(await readStatus(), EXECUTION)).toBe('Blocked'), { timeout: 10_000, interval: 200 })

      // (b) The pull request's author (polled comment) and a non-member (webhook) are refused, with a reply.
      const own = github.addComment(OWNER, NAME, PR, PR_AUTHOR, 'Looks good to me.\n/planspec approve changelog-approval')
      await vi.waitFor(() => expect(replyTo(github, own.id)).toMatch(/⛔ `approve changelog-approval` refused: .*separation of duties/), { timeout: 10_000, interval: 100 })
      expect(await deliverComment(address, github, 'mallory', '/planspec approve changelog-approval', 4_000_001)).toBe(202)
      await vi.waitFor(() => expect(replyTo(github, 4_000_001)).toMatch(/⛔ `approve changelog-approval` refused: not a reviewer of this Gate \(reviewers: team:acme\/editors\)/), { timeout: 10_000, interval: 100 })
      // A few agent rounds later nothing was recorded and the run still waits.
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      let status = await readStatus()
      expect(status.requests).toEqual([])
      expect(phaseOf(status, EXECUTION)).toBe('Blocked')
      expect(phaseOf(status, GATE)).toBe('Waiting')

      // (c) A member of team:acme/editors approves by comment: recorded as eddie, the Gate opens, the run succeeds.
      expect(await deliverComment(address, github, 'eddie', '/planspec approve changelog-approval reads well', 4_000_002)).toBe(202)
      await vi.waitFor(() => expect(replyTo(github, 4_000_002)).toContain('✅ `approve changelog-approval` recorded: the Gate is now approved'), { timeout: 10_000, interval: 100 })
      await vi.waitFor(async () => expect(phaseOf((status = await readStatus()), EXECUTION)).toBe('Succeeded'), { timeout: 20_000, interval: 200 })
      expect(status.requests).toEqual([
        expect.objectContaining({ action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, comment: 'reads well', targetGeneration: 1, author: { name: 'eddie', email: 'eddie@users.noreply.github.com' } }),
      ])
      expect(status.docs.get(GATE)?.status).toMatchObject({ phase: 'Approved', resolution: { outcome: 'approved', actors: ['user:eddie'] } })
      // With --github-repo the change author is the author of the pull request that brought the commit.
      expect(status.docs.get(GATE)?.status).toMatchObject({ executions: [{ name: 'changelog-2025-w10', changeAuthor: `user:${PR_AUTHOR}` }] })
      await vi.waitFor(() => {
        expect(progressComments(github)).toEqual([expect.objectContaining({ id: progressId, body: expect.stringContaining('Succeeded') })])
        expect(github.statuses.filter((s) => s.context === CONTEXT).at(-1)).toMatchObject({ sha: commit, state: 'success', description: 'Succeeded: 4 of 4 nodes done' })
      }, { timeout: 10_000, interval: 100 })

      // (d) A delivery with a bad or missing signature is refused before anything is read.
      const raw = JSON.stringify(issueCommentCreated({ owner: OWNER, repo: NAME, number: PR, prAuthor: PR_AUTHOR, commenter: 'eddie', body: '/planspec reject changelog-approval', commentId: 4_000_003 }))
      const forged = { ...deliveryHeaders('issue_comment', raw, 'not-the-secret') }
      expect((await fetch(`${address}/github/webhook`, { method: 'POST', headers: forged, body: raw })).status).toBe(401)
      const { 'x-hub-signature-256': _dropped, ...unsigned } = deliveryHeaders('issue_comment', raw, SECRET)
      expect((await fetch(`${address}/github/webhook`, { method: 'POST', headers: unsigned, body: raw })).status).toBe(401)
    } finally {
      expect(await agent.stop()).toBe(0)
      await github.close()
    }

    // Final state: one progress comment, edited in place; one reply per command comment; the
    // commit status went from pending to success; the forged delivery changed nothing.
    const updates = github.writes('issues/update-comment').length
    expect(updates).toBeGreaterThanOrEqual(1)
    const progress = progressComments(github)
    expect(progress).toHaveLength(1)
    expect(progress[0]!.body).toMatch(/\*\*✔ Succeeded\*\*/)
    expect(github.writes('issues/create-comment')).toHaveLength(4) // progress + three replies
    expect(replyTo(github, 4_000_003)).toBeUndefined()
    const states = github.statuses.filter((s) => s.context === CONTEXT && s.sha === commit).map((s) => s.state)
    expect(states[0]).toBe('pending')
    expect(states.at(-1)).toBe('success')
    expect((await readStatus()).requests).toHaveLength(1)
    expect(agent.logs().some((line) => JSON.stringify(line).includes(TEST_TOKEN) || JSON.stringify(line).includes(SECRET))).toBe(false)
    expect(github.violations).toEqual([])
  }, 60_000)
})
