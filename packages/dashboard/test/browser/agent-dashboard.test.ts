// The agent's read-only view in Chromium: a real `planspec agent --listen` over a real smart-HTTP git
// server, running examples/minimal. The same dashboard shows it live, with every action hidden.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { createBareRepo, createSshKey, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
import type { BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { API, api, BIN, launchBrowser, REPO, screenshots, startPlanspec, until, type Running } from './harness.js'

const VIEW_TOKEN = 'viewer-dashboard-token-3d6f'
const AGENT_KEY = randomBytes(32).toString('base64')
const REVIEWER = { name: 'Eddie Editor', email: 'editor@example.com' }
const EXECUTION = 'changelog-2025-w10'
const work = mkdtempSync(join(tmpdir(), 'planspec-dashboard-agent-'))
let git: GitServer
let agent: Running
let browser: Awaited<ReturnType<typeof launchBrowser>>
let context: BrowserContext
let repoUrl = ''

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.ya?ml$/.test(name)) out[relative(dir, path)] = readFileSync(path, 'utf8')
    }
  }
  walk(dir)
  return out
}

function run(argv: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => resolve({ code, output }))
  })
}

const phase = async (): Promise<string | undefined> => (await api(agent.url, VIEW_TOKEN, 'GET', `${API}/namespaces/default/executions/${EXECUTION}`)).body?.status?.phase

/** A reviewer as git mode trusts one: an SSH signing key listed in the repository's allowed signers. */
async function reviewerEnv(): Promise<{ env: Record<string, string>; allowedSigner: string }> {
  const key = await createSshKey(work, 'editor_ed25519')
  const config = join(work, 'gitconfig')
  writeFileSync(config, `[user]\n\tname = ${REVIEWER.name}\n\temail = ${REVIEWER.email}\n\tsigningKey = ${key.keyFile}\n[gpg]\n\tformat = ssh\n`)
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1', XDG_STATE_HOME: join(work, 'state'), PLANSPEC_AGENT_KEY: AGENT_KEY }
  return { env, allowedSigner: `${key.allowedSigner(REVIEWER.email)}\n` }
}
let reviewer: Awaited<ReturnType<typeof reviewerEnv>>

beforeAll(async () => {
  reviewer = await reviewerEnv()
  const bare = await createBareRepo(work, 'plans.git')
  await pushFixture({ remote: bare, files: { ...files(join(REPO, 'examples/minimal')), '.planspec/allowed-signers': reviewer.allowedSigner }, author: { name: 'Ann Author', email: 'ann@example.com' } })
  git = await startGitServer({ root: work })
  repoUrl = git.url('plans.git')
  writeFileSync(join(work, 'teams.yaml'), 'team:acme/editors: [email:editor@example.com]\n')
  writeFileSync(join(work, 'tokens.csv'), `${VIEW_TOKEN},viewer\n`)
  agent = await startPlanspec(['agent', '--repo', repoUrl, '--cache-dir', join(work, 'cache'), '--workspace', join(work, 'runs'), '--interval', '1s', '--teams', join(work, 'teams.yaml'), '--listen', '127.0.0.1:0', '--tokens', join(work, 'tokens.csv')], 'dashboard', { XDG_STATE_HOME: join(work, 'state'), PLANSPEC_AGENT_KEY: AGENT_KEY })
  browser = await launchBrowser()
  context = browser.context
})

afterEach(async () => {
  for (const page of context.pages()) await page.close()
})

afterAll(async () => {
  await browser?.close()
  await agent?.stop()
  await git?.close()
})

describe('planspec agent --listen: the read-only dashboard', () => {
  it('answers 401 without a token and 405 to anything but reads', async () => {
    expect((await api(agent.url, 'wrong', 'GET', `${API}/executions`)).status).toBe(401)
    const listed = await api(agent.url, VIEW_TOKEN, 'GET', `${API}/executions`)
    expect(listed.status).toBe(200)
    expect(listed.body).toMatchObject({ apiVersion: 'planspec.io/v1alpha1', kind: 'ExecutionList', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } })
    expect((await api(agent.url, VIEW_TOKEN, 'POST', `${API}/namespaces/default/gates/changelog-approval/approve`, {})).status).toBe(405)
  })

  it('signs in from a #token link, shows the run waiting at its gate with no action offered, then follows it live after an approval through git', async () => {
    await until('the run to wait at its gate', async () => ((await phase()) === 'Blocked' ? true : undefined))
    const page = await context.newPage()
    await page.goto(`${agent.url}/#token=${VIEW_TOKEN}`)
    await expect.poll(() => page.getByTestId('viewer').textContent()).toBe('viewer')
    expect(page.url()).not.toContain(VIEW_TOKEN)
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: 30_000 }).toBe('live')
    await expect.poll(() => page.locator('ul.reasons', { hasText: 'changelog-approval' }).textContent(), { timeout: 30_000 }).toContain('waiting for approval of changelog-approval by team:acme/editors')
    expect(await page.getByTestId('nothing-waiting').count()).toBe(1)
    await screenshots(page, 'agent-overview')

    await page.goto(`${agent.url}/#/gates/default/changelog-approval`)
    await expect.poll(() => page.getByTestId('ineligible').textContent(), { timeout: 30_000 }).toContain('cannot decide')
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0)

    await page.goto(`${agent.url}/#/executions/default/${EXECUTION}`)
    const node = (id: string) => page.locator(`[data-testid="graph"] [data-node="${id}"]`)
    await expect.poll(() => node('editor-approval').getAttribute('data-phase'), { timeout: 30_000 }).toBe('Blocked')
    await screenshots(page, 'agent-execution')

    // A reviewer approves the way git mode takes it: a signed request commit on the status branch.
    // (Asynchronously: the git server answers from this very process.)
    const approved = await run([BIN, 'approve', 'changelog-approval', '--repo', repoUrl, '--cache-dir', join(work, 'cache-reviewer'), '--comment', 'Reads well.'], reviewer.env)
    expect(approved.code, approved.output).toBe(0)
    let navigations = 0
    page.on('framenavigated', () => navigations++)
    await expect.poll(() => node('publish').getAttribute('data-phase'), { timeout: 60_000 }).toBe('Succeeded')
    await expect.poll(() => page.locator('h1 .badge').textContent(), { timeout: 30_000 }).toContain('Succeeded')
    expect(navigations).toBe(0)
    await screenshots(page, 'agent-execution-done')
  })
})
