import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAgent, gitAgentRepo, type Agent } from '@planspec/agent'
import { createAgentKeyring } from '@planspec/git-store'
import { lock } from 'proper-lockfile'
import { createBareRepo, createSshKey, pushFixture, runGit, startGitServer, type SshKey } from '@planspec/testing'
import { createGitResourceClient, type GitResourceClient, type ResourceChange } from '../src/index.js'

// The git-mode client against a real repository (examples/ai-agents, read and written in place),
// a real sync agent, and real SSH keys listed in the allowed-signers file.
const REPO = join(import.meta.dirname, '../../..')
const RUN = 'api-reference-2025-10'
let root: string
let bare: string
let keys: Record<'claude' | 'codex' | 'pair' | 'stranger', SshKey>
let agent: Agent

function exampleFiles(): Record<string, string> {
  const base = join(REPO, 'examples/ai-agents')
  const walk = (at: string): string[] => readdirSync(at, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(at, e.name)) : [join(at, e.name)]))
  return Object.fromEntries(walk(base).filter((f) => f.endsWith('.yaml')).map((f) => [relative(base, f), readFileSync(f, 'utf8')]))
}

/** A client acting with `who`'s key (none: no signing key configured). */
function clientOf(who: keyof typeof keys | 'none', as?: string): GitResourceClient {
  const home = join(root, `home-${who}`)
  mkdirSync(home, { recursive: true })
  writeFileSync(join(home, '.gitconfig'), who === 'none' ? '' : `[user]\n\tsigningKey = ${keys[who].keyFile}\n[gpg]\n\tformat = ssh\n`)
  return createGitResourceClient({ repo: bare, env: { cwd: root, env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1' } }, pollMs: 50, ...(as ? { as } : {}) })
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-client-'))
  keys = { claude: await createSshKey(root, 'claude'), codex: await createSshKey(root, 'codex'), pair: await createSshKey(root, 'pair'), stranger: await createSshKey(root, 'stranger') }
  const signers = [keys.claude.allowedSigner('svc:writer-claude'), keys.codex.allowedSigner('svc:writer-codex'), `"svc:writer-a,svc:writer-b" ${keys.pair.publicKey}`].join('\n')
  bare = await createBareRepo(root, 'plans.git')
  await pushFixture({ remote: bare, files: { ...exampleFiles(), '.planspec/allowed-signers': `${signers}\n` } })
  const repo = gitAgentRepo({ fs, dir: bare, agentKey: createAgentKeyring([randomBytes(32)]) })
  agent = createAgent({ repo, logger: pino({ level: 'silent' }), policy: { allowCommands: [], allowUrls: [] }, workspaceRoot: join(root, 'ws'), intervalMs: 200, pollMs: 50, trust: repo, desiredAt: (rev) => repo.desiredAt(rev) })
  await agent.runOnce()
}, 120_000)
afterAll(() => {
  agent?.stop()
  rmSync(root, { recursive: true, force: true })
})

describe('createGitResourceClient', () => {
  it('acts as the principal the allowed-signers file lists for its signing key, and refuses with a reason when there is none', async () => {
    expect(await clientOf('claude').whoami()).toMatchObject({ subject: 'svc:writer-claude', source: expect.stringContaining('allowed signer svc:writer-claude') })
    await expect(clientOf('stranger').whoami()).rejects.toMatchObject({ code: 'PLANSPEC_ERR_CLIENT_REFUSED', reason: 'UnknownSigner' })
    await expect(clientOf('none').whoami()).rejects.toMatchObject({ reason: 'NoSigningKey' })
    await expect(clientOf('pair').whoami()).rejects.toMatchObject({ reason: 'AmbiguousIdentity', message: expect.stringContaining('svc:writer-a, svc:writer-b') })
    expect(await clientOf('pair', 'svc:writer-b').whoami()).toMatchObject({ subject: 'svc:writer-b' })
    await expect(clientOf('pair', 'svc:writer-z').whoami()).rejects.toMatchObject({ reason: 'AmbiguousIdentity' })
  })

  it('lists and gets resources with the status the agent wrote; kinds in any spelling', async () => {
    const client = clientOf('claude')
    expect((await client.list('plans')).map((p) => p.name)).toEqual(['api-reference-v1'])
    const run = await client.get('ex', RUN)
    expect(run).toMatchObject({ kind: 'Execution', namespace: 'default', file: `planspec/executions/${RUN}.yaml`, status: { phase: 'Blocked', nodeStatuses: { draft: { phase: 'Blocked', reason: 'AwaitingClaim' } } } })
    expect(await client.get('plan', 'nope')).toBeUndefined()
    await expect(client.list('widgets')).rejects.toMatchObject({ code: 'PLANSPEC_ERR_CLIENT_USAGE' })
  })

  it('records a claim that holds the node, refuses a second claim, a completion missing an output, and an agent\'s approval (recorded for the audit trail only when asked)', async () => {
    const claude = clientOf('claude')
    const codex = clientOf('codex')
    const node = { kind: 'Execution' as const, name: RUN, node: 'draft' }
    expect(await claude.request('claim', node, { dryRun: true })).toMatchObject({ status: 'dry-run' })
    expect(await claude.request('claim', node, { via: 'mcp:test/1' })).toMatchObject({ status: 'recorded', counted: true, id: expect.stringMatching(/^\d{8}T/) })
    expect(await codex.request('claim', node)).toMatchObject({ status: 'refused', reason: 'AlreadyClaimed', message: expect.stringContaining('svc:writer-claude') })
    expect((await codex.get('execution', RUN))?.claims).toEqual({ draft: 'svc:writer-claude' })
    const before = (await runGit(['rev-list', '--count', 'planspec/status'], { cwd: bare })).stdout
    expect(await claude.request('complete', { ...node, outputs: { draft_path: 'docs/api.md' } })).toMatchObject({ status: 'refused', reason: 'MissingOutputs', message: expect.stringContaining('endpoints') })
    expect(await codex.request('complete', { ...node, outputs: { draft_path: 'docs/api.md', endpoints: 2 } })).toMatchObject({ status: 'refused', reason: 'ClaimedByOther' })
    expect(await claude.request('approve', { kind: 'Gate', name: 'api-reference-review' }, { via: 'mcp:test/1' })).toMatchObject({ status: 'refused', reason: 'AgentCannotDecide' })
    expect((await runGit(['rev-list', '--count', 'planspec/status'], { cwd: bare })).stdout).toBe(before)
    expect(await claude.request('approve', { kind: 'Gate', name: 'api-reference-review' }, { via: 'mcp:test/1', recordRefused: true })).toMatchObject({ status: 'refused', reason: 'AgentCannotDecide', recorded: { id: expect.any(String) } })
    expect(await claude.request('approve', { kind: 'Gate', name: 'nope' })).toMatchObject({ status: 'refused', reason: 'NotFound' })
  })

  it('previews an apply against the tracked branch and proposes a new branch, signed as its identity', async () => {
    const client = clientOf('claude')
    const plan = (await client.get('plan', 'api-reference-v1'))!.object
    const changed = { ...plan, spec: { ...(plan.spec as object), description: 'changed' } }
    const fresh = { ...plan, metadata: { name: 'api-reference-v9' } }
    expect(await client.dryRunApply([plan, changed, fresh])).toEqual([
      { kind: 'Plan', namespace: 'default', name: 'api-reference-v1', action: 'unchanged' },
      { kind: 'Plan', namespace: 'default', name: 'api-reference-v1', action: 'configured' },
      { kind: 'Plan', namespace: 'default', name: 'api-reference-v9', action: 'created' },
    ])
    const proposed = await client.propose({ branch: 'planspec/proposals/v9', files: new Map([['planspec/plans/v9.yaml', 'kind: Plan\n']]), message: 'Propose v9' })
    expect((await runGit(['log', '-1', '--format=%an <%ae>', proposed.commit], { cwd: bare })).stdout.trim()).toBe('svc:writer-claude <svc:writer-claude>')
    expect((await runGit(['show', `${proposed.commit}:planspec/plans/v9.yaml`], { cwd: bare })).stdout).toBe('kind: Plan\n')
  })

  it('proposes over smart HTTP under the lock of the shared cache, as every other use of a remote', async () => {
    const server = await startGitServer({ root })
    try {
      const home = join(root, 'home-claude')
      const client = createGitResourceClient({ repo: server.url('plans.git'), cacheDir: join(root, 'cache-propose'), env: { cwd: root, env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1' } }, pollMs: 50 })
      expect((await client.whoami()).subject).toBe('svc:writer-claude')
      // Another process (an agent, `planspec get -w`) holds the cache: the push waits for its turn.
      const release = await lock(client.dir, { realpath: false, stale: 10_000, update: 2_000 })
      let settled = false
      const proposing = client.propose({ branch: 'planspec/proposals/locked', files: new Map([['planspec/plans/locked.yaml', 'kind: Plan\n']]), message: 'Propose under the lock' }).finally(() => (settled = true))
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(settled).toBe(false)
      await release()
      const proposed = await proposing
      expect((await runGit(['show', `${proposed.commit}:planspec/plans/locked.yaml`], { cwd: bare })).stdout).toBe('kind: Plan\n')
    } finally {
      await server.close()
    }
  })

  it('watches: the current resources first, then changes as the agent writes them', async () => {
    const client = clientOf('claude')
    const seen: ResourceChange[] = []
    const stop = new AbortController()
    const watching = client.watch(['Execution'], (change) => seen.push(change), stop.signal)
    const deadline = Date.now() + 30_000
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(seen.map((c) => `${c.type} ${c.resource.name}`)).toEqual([`ADDED ${RUN}`])
    // The claim holder completes the node: the agent moves the run on.
    await clientOf('claude').request('complete', { kind: 'Execution', name: RUN, node: 'draft', outputs: { draft_path: 'docs/api.md', endpoints: 2 } })
    await agent.runOnce()
    while (seen.length < 2 && Date.now() < deadline) {
      await agent.runOnce()
      await new Promise((r) => setTimeout(r, 50))
    }
    stop.abort()
    await watching
    expect(seen[1]).toMatchObject({ type: 'MODIFIED', resource: { name: RUN } })
  })

  it('rejects a watch whose first read fails (a repository without the tracked branch), reporting nothing', async () => {
    const empty = await createBareRepo(root, 'empty.git')
    const client = createGitResourceClient({ repo: empty, env: { cwd: root, env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1' } }, pollMs: 50 })
    const seen: ResourceChange[] = []
    const stop = new AbortController()
    await expect(client.watch(['Execution'], (change) => seen.push(change), stop.signal)).rejects.toThrow()
    expect(stop.signal.aborted).toBe(false)
    expect(seen).toEqual([])
  })
})
