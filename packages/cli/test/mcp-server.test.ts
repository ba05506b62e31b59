// `planspec mcp` against a PlanSpec API server, end to end: a real `planspec serve` process, the
// bundled `planspec mcp --server` acting as its token's identity, driven by the MCP SDK's client
// over streamable HTTP and over stdio. Every action goes through the API's routes and RBAC.
import { randomBytes } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli, REPO } from './helpers.js'
import { BIN, startMcpHttp, startMcpStdio, until } from './mcp-support.js'

const TOKENS = { admin: 'admin-mcp-token-5b1e', claude: 'claude-mcp-token-77d0', codex: 'codex-mcp-token-1c9a', editor: 'editor-mcp-token-e40f' } as const
const RUN = 'api-reference-2025-10'
const RACE = 'api-reference-2025-12'
type Obj = Record<string, any>

const work = mkdtempSync(join(tmpdir(), 'planspec-mcp-server-'))
let server: ChildProcess | undefined
let url = ''

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Obj }> {
  const res = await fetch(`${url}/apis/planspec.io/v1alpha1/namespaces/default/${path}`, { method, headers: { authorization: `Bearer ${TOKENS.admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: res.status, body: (await res.json()) as Obj }
}

function envOf(who: 'claude' | 'codex'): Record<string, string> {
  const home = join(work, `home-${who}`)
  mkdirSync(join(home, 'docs'), { recursive: true })
  writeFileSync(join(home, 'docs/api-reference.md'), '# API reference\n')
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PLANSPEC_TOKEN: TOKENS[who], PLANSPEC_MCP_TOKEN: randomBytes(24).toString('hex'), PLANSPEC_TEST_CWD: home }
}

beforeAll(async () => {
  const tokens = join(work, 'tokens.csv')
  writeFileSync(tokens, [`${TOKENS.admin},admin,system:masters`, `${TOKENS.claude},svc:writer-claude`, `${TOKENS.codex},svc:writer-codex`, `${TOKENS.editor},email:editor@example.com`].join('\n'))
  const child = spawn(process.execPath, [BIN, 'serve', '--insecure-http', '--db', join(work, 'planspec.db'), '--listen', '127.0.0.1:0', '--tokens', tokens, '--workspace', join(work, 'runs')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PLANSPEC_LOG_LEVEL: 'info' } })
  server = child
  let log = ''
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${log}`)), 30_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString()
      const found = /"url":"(http:\/\/[^"]+)"/.exec(log)
      if (found) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${log}`)))
  })
  const applied = await cli(['apply', '-f', join(REPO, 'examples/ai-agents'), '--server', url], { env: { PLANSPEC_TOKEN: TOKENS.admin } })
  expect(applied.code, applied.stderr).toBe(0)
  const second = readFileSync(join(REPO, `examples/ai-agents/planspec/executions/${RUN}.yaml`), 'utf8').replaceAll(RUN, RACE)
  writeFileSync(join(work, 'race.yaml'), second)
  expect((await cli(['apply', '-f', join(work, 'race.yaml'), '--server', url], { env: { PLANSPEC_TOKEN: TOKENS.admin } })).code).toBe(0)
  // With --tokens, RBAC is on: the admin lets the two agents and the editor read, work and review here.
  // Reading is cluster-wide (list_work looks in every namespace); working and reviewing is in `default`.
  const subjects = ['svc:writer-claude', 'svc:writer-codex', 'email:editor@example.com'].map((name) => ({ kind: 'User', name }))
  const grants: Array<[string, Obj]> = [
    ['clusterroles', { kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ resources: ['*'], verbs: ['get', 'list', 'watch'] }] }],
    ['clusterrolebindings', { kind: 'ClusterRoleBinding', metadata: { name: 'readers' }, subjects, roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'reader' } }],
    ['namespaces/default/roles', { kind: 'Role', metadata: { name: 'worker', namespace: 'default' }, rules: [{ resources: ['executions'], verbs: ['update'] }, { resources: ['gates'], verbs: ['approve'] }, { resources: ['plans'], verbs: ['create'] }] }],
    ['namespaces/default/rolebindings', { kind: 'RoleBinding', metadata: { name: 'workers', namespace: 'default' }, subjects, roleRef: { apiGroup: 'planspec.io', kind: 'Role', name: 'worker' } }],
  ]
  for (const [path, object] of grants) {
    const res = await fetch(`${url}/apis/planspec.io/v1alpha1/${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'planspec.io/v1alpha1', ...object }) })
    expect(res.status, await res.text()).toBe(201)
  }
}, 120_000)

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve))
    server.kill('SIGTERM')
    await exited
  }
  rmSync(work, { recursive: true, force: true })
})

describe('planspec mcp (server mode)', () => {
  it('works as its token\'s identity through the API: claims and completes (a missing output refused first), is refused AgentCannotDecide (recorded in the review history), asks people, previews a proposal without applying it', async () => {
    const claude = await startMcpHttp(['--server', url], envOf('claude'), { clientName: 'claude-code' })
    try {
      expect(await claude.tool('whoami')).toMatchObject({ ok: true, value: { subject: 'svc:writer-claude', mode: 'server', client: 'mcp:claude-code/1.0.0' } })
      await until(async () => {
        const listed = await claude.tool('list_work')
        return listed.ok && (listed.value.items as Obj[]).some((i) => i.execution === RUN && i.node === 'draft')
      }, 'the draft node to wait for a worker')
      expect(await claude.tool('claim_work', { execution: RUN, node: 'draft' })).toMatchObject({ ok: true, value: { claimed: true, holder: 'svc:writer-claude' } })
      expect(JSON.parse((await api('GET', `executions/${RUN}`)).body.metadata.annotations['planspec.io/claim.draft'])).toMatchObject({ by: 'svc:writer-claude', via: 'mcp:claude-code/1.0.0' })
      expect(await claude.tool('complete_work', { execution: RUN, node: 'draft', outputs: { endpoints: 12 } })).toMatchObject({ ok: false, error: { reason: 'MissingOutputs', missing: ['draft_path'] } })
      expect((await api('GET', `executions/${RUN}`)).body.metadata.annotations['planspec.io/complete.draft']).toBeUndefined()
      expect(await claude.tool('complete_work', { execution: RUN, node: 'draft', outputs: { draft_path: 'docs/api-reference.md', endpoints: 12 } })).toMatchObject({ ok: true, value: { completed: true } })
      await until(async () => (await api('GET', `executions/${RUN}`)).body.status?.nodeStatuses?.['editor-review']?.phase === 'Blocked', 'the run to reach the Gate')

      expect(await claude.tool('review_gate', { gate: 'api-reference-review', decision: 'approve' })).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_REFUSED', reason: 'AgentCannotDecide' } })
      expect(await claude.tool('request_approval', { gate: 'api-reference-review', message: 'Ready for review' })).toMatchObject({ ok: true, value: { requested: true } })
      const history = (await api('GET', 'gates/api-reference-review')).body.status.reviewHistory as Obj[]
      expect(history.map((h) => [h.reviewer, h.action, h.counted ?? null, h.reason ?? null, h.source])).toEqual([
        ['svc:writer-claude', 'approve', false, 'AgentCannotDecide', 'api via mcp:claude-code/1.0.0'],
        ['svc:writer-claude', 'comment', null, null, 'api via mcp:claude-code/1.0.0'],
      ])
      const approved = await cli(['approve', 'api-reference-review', '--server', url, '--comment', 'Reads well.'], { env: { PLANSPEC_TOKEN: TOKENS.editor } })
      expect(approved.code, approved.stderr).toBe(0)
      await until(async () => (await api('GET', `executions/${RUN}`)).body.status?.phase === 'Succeeded', 'the run to succeed')
      expect((await api('GET', `executions/${RUN}`)).body.status.nodeStatuses.draft).toMatchObject({ phase: 'Succeeded', outputs: { draft_path: 'docs/api-reference.md', endpoints: 12 } })

      const plan = { apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name: 'api-reference-v2', namespace: 'default' }, spec: { description: 'v2', goalRef: { name: 'api-reference' }, graph: { nodes: [{ id: 'draft', kind: 'Task', capabilityRefs: [{ name: 'technical-writing' }], outputs: ['draft_path'] }] } } }
      expect(await claude.tool('propose_plan', { plan })).toMatchObject({ ok: true, value: { mode: 'server', preview: [{ kind: 'Plan', name: 'api-reference-v2', action: 'created' }] } })
      expect((await api('GET', 'plans/api-reference-v2')).status).toBe(404)
    } finally {
      await claude.close()
    }
  }, 300_000)

  it('gives a node two agents race to claim (HTTP and stdio sessions) to exactly one, through the API\'s claim route', async () => {
    const claude = await startMcpHttp(['--server', url], envOf('claude'), { clientName: 'claude-code' })
    const codex = await startMcpStdio(['--server', url], envOf('codex'), { clientName: 'codex' })
    try {
      await until(async () => (await api('GET', `executions/${RACE}`)).body.status?.nodeStatuses?.draft?.reason === 'AwaitingClaim', 'the race node to wait')
      const answers = await Promise.all([claude.tool('claim_work', { execution: RACE, node: 'draft' }), codex.tool('claim_work', { execution: RACE, node: 'draft' })])
      expect(answers.filter((a) => a.ok)).toHaveLength(1)
      expect(answers.filter((a) => !a.ok)).toEqual([expect.objectContaining({ error: expect.objectContaining({ reason: 'AlreadyClaimed' }) })])
      const [winner, loser] = answers[0]!.ok ? [claude, codex] : [codex, claude]
      expect(await loser.tool('complete_work', { execution: RACE, node: 'draft', outputs: { draft_path: 'x.md', endpoints: 1 } })).toMatchObject({ ok: false, error: { reason: 'ClaimedByOther' } })
      expect(await winner.tool('complete_work', { execution: RACE, node: 'draft', outputs: { draft_path: 'docs/api-reference.md', endpoints: 3 } })).toMatchObject({ ok: true })
      await until(async () => (await api('GET', `executions/${RACE}`)).body.status?.nodeStatuses?.draft?.phase === 'Succeeded', 'the winner\'s completion')
    } finally {
      await claude.close()
      await codex.close()
    }
  }, 300_000)

  it('refuses to start for a token the server does not know, with the reason, and --listen without a bearer token', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'mcp', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
        let stderr = ''
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
        child.on('exit', (code) => resolve({ code, stderr }))
        child.stdin.end()
      })
    const unknown = await run(['--server', url], { PATH: process.env.PATH ?? '', PLANSPEC_TOKEN: 'not-a-token-of-this-server' })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Unauthorized')
    expect(unknown.stderr).not.toContain('not-a-token-of-this-server')
    const open = await run(['--server', url, '--listen', '127.0.0.1:0'], { PATH: process.env.PATH ?? '', PLANSPEC_TOKEN: TOKENS.claude })
    expect(open.code).toBe(2)
    expect(open.stderr).toContain('PLANSPEC_MCP_TOKEN')
  }, 120_000)
})
