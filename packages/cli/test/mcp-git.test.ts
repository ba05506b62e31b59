// `planspec mcp` in git mode, end to end: the real bundled binary driven by the MCP SDK's own
// client over stdio and over streamable HTTP, against a real smart-HTTP git server holding
// examples/ai-agents, a real sync agent, and a fake GitHub checked against GitHub's OpenAPI
// description. Agents act as the svc: principals their SSH keys are listed under.
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createValidator } from '@planspec/validator'
import { createBareRepo, createSshKey, pushFixture, runGit, startGitServer, type GitServer, type SshKey } from '@planspec/testing'
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startFakeGitHub, TEST_TOKEN, type FakeGitHub } from '../../github/test/support/fake-github.js'
import { runCli } from '../src/index.js'
import { cli, REPO } from './helpers.js'
import { startMcpHttp, startMcpStdio, until, type McpSession, type TranscriptEntry } from './mcp-support.js'
import { checkTranscript } from './mcp-transcript.js'

const AGENT_KEY = randomBytes(32).toString('base64')
const RUN = 'api-reference-2025-10'
const RACE = 'api-reference-2025-11'
let root: string
let bare: string
let server: GitServer
let url: string
let github: FakeGitHub
let keys: Record<'claude' | 'codex' | 'editor', SshKey>
let stopAgent: () => Promise<number>
const transcript: TranscriptEntry[] = []

function examplesFiles(): Record<string, string> {
  const base = join(REPO, 'examples/ai-agents')
  const walk = (at: string): string[] => readdirSync(at, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(at, e.name)) : [join(at, e.name)]))
  return Object.fromEntries(walk(base).filter((f) => /\.ya?ml$/.test(f)).map((f) => [relative(base, f), readFileSync(f, 'utf8')]))
}

/** A person's or agent's environment: their own git config (signing key, e-mail), nothing else. */
function envOf(who: 'claude' | 'codex' | 'editor' | 'agent'): Record<string, string> {
  const home = join(root, `home-${who}`)
  mkdirSync(home, { recursive: true })
  const config = join(home, '.gitconfig')
  const signing = who === 'agent' ? '' : `[user]\n\tsigningKey = ${keys[who].keyFile}\n${who === 'editor' ? '\temail = editor@example.com\n\tname = Eddie Editor\n' : ''}[gpg]\n\tformat = ssh\n`
  writeFileSync(config, signing)
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1', XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache'), PLANSPEC_AGENT_KEY: AGENT_KEY, PLANSPEC_TEST_CWD: home }
}

function mcpArgs(who: 'claude' | 'codex'): string[] {
  const workspace = join(root, `work-${who}`)
  mkdirSync(workspace, { recursive: true })
  return ['--repo', url, '--workspace', workspace, '--github-repo', 'acme/plans', '--github-api-url', github.url]
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-mcp-git-'))
  keys = { claude: await createSshKey(root, 'claude'), codex: await createSshKey(root, 'codex'), editor: await createSshKey(root, 'editor') }
  const signers = [keys.claude.allowedSigner('svc:writer-claude'), keys.codex.allowedSigner('svc:writer-codex'), keys.editor.allowedSigner('editor@example.com')].join('\n')
  bare = await createBareRepo(root, 'plans.git')
  const files = examplesFiles()
  const second = files[`planspec/executions/${RUN}.yaml`]!.replaceAll(RUN, RACE)
  const commit = await pushFixture({ remote: bare, files: { ...files, [`planspec/executions/${RACE}.yaml`]: second, '.planspec/allowed-signers': `${signers}\n` }, author: { name: 'Ann Author', email: 'ann@example.com' }, message: 'Add the API reference plan' })
  server = await startGitServer({ root })
  url = server.url('plans.git')
  github = await startFakeGitHub({ branchHead: (_owner, _repo, branch) => spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: bare, encoding: 'utf8' }).stdout.trim() || undefined })
  // The pull request that brought the plan and its Executions (merged by Ann).
  github.addPullRequest({ owner: 'acme', repo: 'plans', number: 7, author: 'ann', headSha: commit, title: 'Add the API reference plan' })
  // The sync agent runs the Executions and judges every request.
  const stop = new AbortController()
  const out = new PassThrough()
  out.resume()
  const running = runCli(['agent', '--repo', url, '--interval', '300ms', '--cache-dir', join(root, 'agent-cache')], { stdout: out, stderr: new PassThrough().resume(), stdin: Readable.from(['']), cwd: root, env: envOf('agent'), signal: stop.signal })
  stopAgent = async () => {
    stop.abort()
    return running
  }
}, 120_000)

afterAll(async () => {
  await stopAgent?.()
  await server?.close()
  await github?.close()
  rmSync(root, { recursive: true, force: true })
})

/** Waits until the draft nodes of `executions` all wait for a worker (the agent's rounds are its own), and returns the first one's item. */
const blocked = (session: McpSession, ...executions: string[]) =>
  until(async () => {
    const work = await session.tool('list_work')
    const items = work.ok ? (work.value.items as { execution: string; node: string }[]) : []
    return executions.every((execution) => items.some((item) => item.execution === execution && item.node === 'draft')) && items.find((item) => item.execution === executions[0])
  }, `the draft nodes of ${executions.join(', ')} to wait for a worker`)

describe('planspec mcp (git mode)', () => {
  it('lets an agent list, claim and complete agent:// work (a missing output refused first), refuses and audits its approval, asks people, and the run goes on once the editor approves', async () => {
    const claude = await startMcpStdio(mcpArgs('claude'), { ...envOf('claude'), PLANSPEC_GITHUB_TOKEN: TEST_TOKEN }, { clientName: 'claude-code', transcript, agent: 'writer-claude' })
    try {
      const tools = (await claude.client.listTools()).tools.map((t) => t.name)
      expect(tools).toEqual(expect.arrayContaining(['list_work', 'claim_work', 'complete_work', 'fail_work', 'validate', 'explain', 'simulate', 'get', 'describe', 'why_blocked', 'propose_plan', 'request_approval', 'review_gate']))
      expect(await claude.tool('whoami')).toMatchObject({ ok: true, value: { subject: 'svc:writer-claude', mode: 'git', client: 'mcp:claude-code/1.0.0' } })

      const item = await blocked(claude, RUN, RACE)
      expect(item).toMatchObject({ provider: 'agent://docs-writers', outputs: ['draft_path', 'endpoints'], inputs: { openapi: 'openapi/public-api.yaml' }, eligible: true, acceptanceCriteria: [expect.objectContaining({ type: 'artifact_exists', path: 'docs/api-reference.md' })] })
      expect(await claude.tool('claim_work', { execution: RUN, node: 'draft' })).toMatchObject({ ok: true, value: { claimed: true, holder: 'svc:writer-claude' } })

      // The agent forgets an output: refused before anything is recorded.
      const requestsBefore = (await runGit(['ls-tree', '-r', '--name-only', 'planspec/status', 'requests'], { cwd: bare })).stdout.trim().split('\n').length
      const missing = await claude.tool('complete_work', { execution: RUN, node: 'draft', outputs: { draft_path: 'docs/api-reference.md' } })
      expect(missing).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_REFUSED', reason: 'MissingOutputs', missing: ['endpoints'] } })
      // The acceptance criterion runs where the agent works: without the file, nothing is recorded either.
      const unaccepted = await claude.tool('complete_work', { execution: RUN, node: 'draft', outputs: { draft_path: 'docs/api-reference.md', endpoints: 12 } })
      expect(unaccepted).toMatchObject({ ok: false, error: { reason: 'AcceptanceFailed' } })
      expect((await runGit(['ls-tree', '-r', '--name-only', 'planspec/status', 'requests'], { cwd: bare })).stdout.trim().split('\n').length).toBe(requestsBefore)

      mkdirSync(join(root, 'work-claude/docs'), { recursive: true })
      writeFileSync(join(root, 'work-claude/docs/api-reference.md'), '# API reference\n\n## GET /v1/widgets\n')
      const done = await claude.tool('complete_work', { execution: RUN, node: 'draft', outputs: { draft_path: 'docs/api-reference.md', endpoints: 12 }, notes: 'Drafted from openapi/public-api.yaml' })
      expect(done).toMatchObject({ ok: true, value: { completed: true, acceptance: [expect.objectContaining({ id: 'draft-exists', passed: true })] } })

      // The run goes on to the editor's Gate.
      const waiting = await until(async () => {
        const why = await claude.tool('why_blocked', { name: RUN })
        // Once the agent has entered the run on the Gate, the Gate node says how many approvals it has.
        return why.ok && (why.value.reasons as { node?: string; message: string }[]).some((r) => r.node === 'editor-review' && r.message.includes('required approvals')) && why.value
      }, 'the run to wait on the editor')
      expect(waiting).toMatchObject({ blocked: true, reasons: [expect.objectContaining({ reason: 'AwaitingApproval', waitingFor: ['email:editor@example.com'], message: expect.stringContaining('Waiting: 0 of 1 required approvals') })] })

      // The agent may not approve: refused at once, and recorded so people see the attempt.
      const approval = await claude.tool('review_gate', { gate: 'api-reference-review', decision: 'approve', comment: 'Looks complete to me' })
      expect(approval).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_REFUSED', reason: 'AgentCannotDecide' } })
      expect(await claude.tool('request_approval', { gate: 'api-reference-review', message: 'The draft covers all 12 endpoints; please review docs/api-reference.md.' })).toMatchObject({ ok: true, value: { requested: true, execution: RUN, reviewers: ['email:editor@example.com'], pullRequest: { number: 7 } } })
      expect(github.commentsOn('acme', 'plans', 7).map((c) => c.body)).toEqual([expect.stringContaining('**Approval requested** for gate `api-reference-review` of Execution `api-reference-2025-10` by `svc:writer-claude` (through `mcp:claude-code/1.0.0`)')])
      const history = await until(async () => {
        const gate = await claude.tool('get', { kind: 'gate', name: 'api-reference-review' })
        const entries = gate.ok ? ((gate.value.items[0].status?.reviewHistory ?? []) as Record<string, unknown>[]) : []
        return entries.length >= 2 && entries
      }, 'the review history to record the agent')
      expect(history).toEqual([
        expect.objectContaining({ reviewer: 'svc:writer-claude', action: 'approve', counted: false, reason: 'AgentCannotDecide', source: expect.stringMatching(/^request:\S+ via mcp:claude-code\/1\.0\.0$/) }),
        expect.objectContaining({ reviewer: 'svc:writer-claude', action: 'comment', comment: expect.stringContaining('Approval requested by svc:writer-claude'), source: expect.stringMatching(/ via mcp:claude-code\/1\.0\.0$/) }),
      ])
      expect((await claude.tool('describe', { kind: 'gate', name: 'api-reference-review' })) as { ok: true; value: { text: string } }).toMatchObject({ ok: true, value: { text: expect.stringMatching(/svc:writer-claude\s+approve\s+api-reference-2025-10\s+no: AgentCannotDecide/) } })

      // The editor approves with their own signed request; the run succeeds with the agent's outputs.
      const editor = await cli(['approve', 'api-reference-review', '--repo', url, '--cache-dir', join(root, 'editor-cache'), '--execution', RUN, '--comment', 'Reads well.', '--wait', '90s'], { env: envOf('editor') })
      expect(editor.code, editor.stderr).toBe(0)
      const finished = await until(async () => {
        const got = await claude.tool('get', { kind: 'execution', name: RUN })
        return got.ok && got.value.items[0].status?.phase === 'Succeeded' && got.value.items[0]
      }, 'the run to succeed')
      expect(finished.status.nodeStatuses).toMatchObject({ draft: { phase: 'Succeeded', outputs: { draft_path: 'docs/api-reference.md', endpoints: 12 } }, 'editor-review': { phase: 'Succeeded' }, publish: { phase: 'Succeeded' } })
      // Every tool call was audited on stderr with the identity and the client.
      expect(claude.stderr()).toContain('"tool":"review_gate"')
      expect(claude.stderr()).toMatch(/"identity":"svc:writer-claude","via":"mcp:claude-code\/1\.0\.0","outcome":"refused","code":"PLANSPEC_ERR_MCP_REFUSED","reason":"AgentCannotDecide"/)
    } finally {
      await claude.close()
    }
  }, 300_000)

  it('opens a branch with a valid plan and a pull request for propose_plan, never touching the tracked branch; validate reports positions and fixes first', async () => {
    const claude = await startMcpStdio(mcpArgs('claude'), { ...envOf('claude'), PLANSPEC_GITHUB_TOKEN: TEST_TOKEN }, { clientName: 'claude-code', transcript, agent: 'writer-claude' })
    try {
      const draft = readFileSync(join(REPO, 'examples/ai-agents/planspec/plans/api-reference-v1.yaml'), 'utf8').replace('name: api-reference-v1', 'name: api-reference-v2').replace('dependsOn: [draft]', 'dependsOn: [drafts]')
      const checked = await claude.tool('validate', { manifests: draft, file: 'api-reference-v2.yaml' })
      expect(checked).toMatchObject({ ok: true, value: { valid: false } })
      expect((checked as unknown as { value: { diagnostics: unknown[] } }).value.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'PS3003', severity: 'error', file: 'api-reference-v2.yaml', line: 40, column: expect.any(Number), path: '/spec/graph/nodes/1/dependsOn/0' })]))
      const tracked = (await runGit(['rev-parse', 'refs/heads/main'], { cwd: bare })).stdout.trim()
      const plan = { apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name: 'api-reference-v2', labels: { 'planspec.io/goal': 'api-reference' } }, spec: { description: 'Drafts the reference and a changelog entry in parallel, then an editor reviews both.', goalRef: { name: 'api-reference' }, graph: { nodes: [{ id: 'draft', kind: 'Task', capabilityRefs: [{ name: 'technical-writing' }], outputs: ['draft_path'] }, { id: 'changelog', kind: 'Task', capabilityRefs: [{ name: 'technical-writing' }], outputs: ['entry'] }, { id: 'editor-review', kind: 'Gate', dependsOn: ['draft', 'changelog'], gateRef: { name: 'api-reference-review' } }] } } }
      const invalid = await claude.tool('propose_plan', { plan: { ...plan, spec: { ...plan.spec, graph: { nodes: [...plan.spec.graph.nodes, { id: 'late', kind: 'Task', dependsOn: ['nowhere'] }] } } } })
      expect(invalid).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_INVALID_MANIFESTS' } })
      const proposed = await claude.tool('propose_plan', { plan, title: 'Propose api-reference-v2', description: 'Adds a changelog entry beside the reference.', branch: 'api-reference-v2' })
      expect(proposed).toMatchObject({ ok: true, value: { mode: 'git', branch: 'planspec/proposals/api-reference-v2', base: 'main', files: ['planspec/plans/api-reference-v2.yaml'], pullRequest: { number: 8 }, preview: [{ kind: 'Plan', name: 'api-reference-v2', action: 'created' }] } })
      // The branch holds a valid plan (parsed by the validator), signed by the agent; main did not move.
      const branch = 'refs/heads/planspec/proposals/api-reference-v2'
      const text = (await runGit(['show', `${branch}:planspec/plans/api-reference-v2.yaml`], { cwd: bare })).stdout
      const result = createValidator().validate([{ file: 'planspec/plans/api-reference-v2.yaml', text }])
      expect(result.summary.errors).toBe(0)
      expect(result.resources.map((r) => `${r.kind}/${r.name}`)).toEqual(['Plan/api-reference-v2'])
      expect((await runGit(['rev-parse', 'refs/heads/main'], { cwd: bare })).stdout.trim()).toBe(tracked)
      const signersFile = join(root, 'allowed_signers')
      writeFileSync(signersFile, `${keys.claude.allowedSigner('svc:writer-claude')}\n`)
      const verified = await runGit(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signersFile}`, 'verify-commit', branch], { cwd: bare })
      expect(verified.stderr).toContain('Good "git" signature for svc:writer-claude')
      expect(github.pulls.get('acme/plans#8')).toMatchObject({ headRef: 'planspec/proposals/api-reference-v2', baseRef: 'main', title: 'Propose api-reference-v2', body: expect.stringContaining('svc:writer-claude') })
      expect(github.violations).toEqual([])

      const prompt = await claude.client.getPrompt({ name: 'draft_plan', arguments: { goal: 'api-reference' } })
      expect((prompt.messages[0]!.content as { text: string }).text).toContain('Publish a reference of the public REST API')
      const schema = await claude.client.readResource({ uri: 'planspec://schemas/Plan' })
      expect(JSON.parse((schema.contents[0] as { text: string }).text)).toMatchObject({ $ref: '#/$defs/Plan', $defs: { Plan: expect.objectContaining({ title: 'Plan' }) } })
    } finally {
      await claude.close()
    }
  }, 300_000)

  it('gives a node two agents race to claim (one over stdio, one over HTTP) to exactly one, and notifies a subscriber when the run moves', async () => {
    const claude = await startMcpStdio(mcpArgs('claude'), { ...envOf('claude'), PLANSPEC_GITHUB_TOKEN: TEST_TOKEN }, { clientName: 'claude-code' })
    const codex = await startMcpHttp(mcpArgs('codex'), { ...envOf('codex'), PLANSPEC_GITHUB_TOKEN: TEST_TOKEN, PLANSPEC_MCP_TOKEN: randomBytes(24).toString('hex') }, { clientName: 'codex' })
    try {
      expect(await codex.tool('whoami')).toMatchObject({ ok: true, value: { subject: 'svc:writer-codex', client: 'mcp:codex/1.0.0' } })
      await blocked(codex, RACE)
      const uri = `planspec://executions/default/${RACE}`
      await claude.client.subscribeResource({ uri })
      const [a, b] = await Promise.all([claude.tool('claim_work', { execution: RACE, node: 'draft' }), codex.tool('claim_work', { execution: RACE, node: 'draft' })])
      const answers = [a, b]
      expect(answers.filter((answer) => answer.ok)).toHaveLength(1)
      expect(answers.filter((answer) => !answer.ok)).toEqual([expect.objectContaining({ error: expect.objectContaining({ reason: 'AlreadyClaimed' }) })])
      const [winner, loser] = a.ok ? [claude, codex] : [codex, claude]
      const winnerName = a.ok ? 'claude' : 'codex'
      // The loser cannot complete it either; the winner can.
      mkdirSync(join(root, `work-${winnerName}/docs`), { recursive: true })
      writeFileSync(join(root, `work-${winnerName}/docs/api-reference.md`), '# API reference\n')
      mkdirSync(join(root, `work-${winnerName === 'claude' ? 'codex' : 'claude'}/docs`), { recursive: true })
      writeFileSync(join(root, `work-${winnerName === 'claude' ? 'codex' : 'claude'}/docs/api-reference.md`), '# API reference\n')
      expect(await loser.tool('complete_work', { execution: RACE, node: 'draft', outputs: { draft_path: 'x.md', endpoints: 1 } })).toMatchObject({ ok: false, error: { reason: 'ClaimedByOther' } })
      const completed = await winner.tool('complete_work', { execution: RACE, node: 'draft', outputs: { draft_path: 'docs/api-reference.md', endpoints: 12 } })
      expect(completed, JSON.stringify(completed)).toMatchObject({ ok: true })
      await until(async () => claude.updated.includes(uri), 'a resource update notification')
      const run = await until(async () => {
        const got = await claude.tool('get', { kind: 'execution', name: RACE })
        return got.ok && got.value.items[0].status?.nodeStatuses?.draft?.phase === 'Succeeded' && got.value.items[0]
      }, 'the winner\'s completion to count')
      expect(run.status.nodeStatuses.draft.outputs).toEqual({ draft_path: 'docs/api-reference.md', endpoints: 12 })
      // The HTTP endpoint refuses a client without the bearer token.
      expect((await fetch(codex.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401)
    } finally {
      await claude.close()
      await codex.close()
    }
    checkTranscript(transcript, join(REPO, 'docs/ai-agents.md'))
  }, 300_000)
})
