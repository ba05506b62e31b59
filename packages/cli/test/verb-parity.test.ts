// Each CLI verb is written once on the ResourceClient port (issue 12): one table of actions, run by
// the bundled binary in git mode (signed request commits pushed to a real git server over smart
// HTTP, judged by a running agent) and in server mode (`planspec serve`: its action routes, RBAC and
// Execution controller), must give the same exit codes, the same outcomes (`-o json`) and, once
// every run has ended, the same statuses.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { createBareRepo, createSshKey, pushFixture, startGitServer, type GitServer, type SshKey } from '@planspec/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { REPO } from './helpers.js'
import { startServe, type ServeProcess } from './serve-process.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const AGENT_KEY = randomBytes(32).toString('base64')
const V = 'planspec.io/v1alpha1'
const PEOPLE = { editor: 'editor@example.com', author: 'author@fixture.invalid', mallory: 'mallory@example.com' } as const
type Person = keyof typeof PEOPLE
/** The same people in both modes: an allowed signer (git) and a token (server) per person, the editors in team acme/editors. */
const TEAM: readonly Person[] = ['editor', 'author']
const EXECUTIONS = ['e-approve', 'e-reject', 'e-cancel', 'e-work']

/** The manifests: three runs that wait on a Gate each, and one that waits for a person to do the work. */
function manifests(): Record<string, string> {
  const docs: object[] = []
  for (const name of ['approve', 'reject', 'cancel']) {
    docs.push(
      { apiVersion: V, kind: 'Plan', metadata: { name: `p-${name}` }, spec: { description: `waits on g-${name}`, graph: { nodes: [{ id: 'hold', kind: 'Gate', gateRef: { name: `g-${name}` } }] } } },
      { apiVersion: V, kind: 'Gate', metadata: { name: `g-${name}` }, spec: { gateType: 'approval', targetRef: { kind: 'Execution', name: `e-${name}` }, reviewers: ['team:acme/editors'] } },
      { apiVersion: V, kind: 'Execution', metadata: { name: `e-${name}` }, spec: { planRef: { name: `p-${name}` } } },
    )
  }
  docs.push(
    { apiVersion: V, kind: 'Capability', metadata: { name: 'editing' }, spec: { description: 'Editing by hand' } },
    { apiVersion: V, kind: 'Plan', metadata: { name: 'by-hand' }, spec: { description: 'one node a person does', graph: { nodes: [{ id: 'edit', kind: 'Task', capabilityRefs: [{ name: 'editing' }], outputs: ['verdict'] }] } } },
    { apiVersion: V, kind: 'Binding', metadata: { name: 'people' }, spec: { rules: [{ selector: { capabilityRef: { name: 'editing' } }, target: { provider: 'human://team:acme/editors' } }] } },
    { apiVersion: V, kind: 'Execution', metadata: { name: 'e-work' }, spec: { planRef: { name: 'by-hand' }, bindingRef: { name: 'people' } } },
  )
  return { 'planspec/parity.yaml': docs.map((doc) => stringify(doc)).join('---\n') }
}

/** One action of the table and what both modes must make of it. */
interface Step {
  readonly who: Person
  readonly args: readonly string[]
  /** Wait until this run is in this phase first (in both modes). */
  readonly before?: readonly [string, string]
  readonly expected: Summary
  /**
   * Where git mode answers otherwise, and why (docs/decisions.md): a claim by a member of a
   * `team:` is recorded for the agent to judge (the team file is the agent's), where a server,
   * which knows the token's groups, decides it at once.
   */
  readonly inGit?: Summary
  /** Also run it without `-o json`: both modes must print exactly the same text. */
  readonly sameText?: boolean
}

/** What an action came to: its exit code, and counted, refused (why) or only checked. */
interface Summary {
  readonly code: number
  readonly outcome: 'counted' | 'refused' | 'dry-run' | 'recorded'
  readonly reason?: string
  readonly execution?: string
}

const STEPS: readonly Step[] = [
  { who: 'editor', args: ['approve', 'g-approve', '--dry-run'], expected: { code: 0, outcome: 'dry-run' }, sameText: true },
  { who: 'mallory', args: ['approve', 'g-approve', '--wait', '90s'], expected: { code: 1, outcome: 'refused', reason: 'NotEligible' } },
  { who: 'author', args: ['approve', 'g-approve', '--wait', '90s'], expected: { code: 1, outcome: 'refused', reason: 'SelfApproval' } },
  { who: 'editor', args: ['approve', 'g-approve', '--comment', 'reads well', '--wait', '90s'], expected: { code: 0, outcome: 'counted', execution: 'e-approve' } },
  { who: 'editor', args: ['reject', 'g-reject', '--comment', 'not yet', '--wait', '90s'], expected: { code: 0, outcome: 'counted', execution: 'e-reject' } },
  { who: 'editor', args: ['retry', 'e-approve'], before: ['e-approve', 'Succeeded'], expected: { code: 1, outcome: 'refused', reason: 'NotFailed' } },
  { who: 'editor', args: ['retry', 'e-reject', '--wait', '90s'], before: ['e-reject', 'Failed'], expected: { code: 0, outcome: 'counted' } },
  { who: 'editor', args: ['cancel', 'e-cancel', '--wait', '90s'], expected: { code: 0, outcome: 'counted' } },
  { who: 'editor', args: ['cancel', 'e-cancel'], expected: { code: 1, outcome: 'refused', reason: 'Finished' } },
  { who: 'editor', args: ['work', 'claim', 'e-work', 'edit'], expected: { code: 0, outcome: 'counted' }, inGit: { code: 0, outcome: 'recorded' } },
  { who: 'editor', args: ['work', 'complete', 'e-work', 'edit', 'verdict=ship', '--wait', '90s'], expected: { code: 0, outcome: 'counted' } },
  { who: 'editor', args: ['approve', 'nope'], expected: { code: 1, outcome: 'refused', reason: 'NotFound' }, sameText: true },
]

/** Where one mode's commands go, as a person. */
interface Mode {
  readonly name: 'git' | 'server'
  /** The target flags and environment of a command run by `who` (the agent's view for `undefined`). */
  as(who: Person | undefined): { readonly flags: readonly string[]; readonly env: Record<string, string> }
}

let root: string
let git: GitServer
let serve: ServeProcess
let agent: ChildProcess | undefined
const keys = {} as Record<Person, SshKey>

/** Runs the bundled CLI; never throws on a non-zero exit. */
function planspec(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PLANSPEC_LOG_LEVEL: 'warn', ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 99, stdout, stderr })
    })
  })
}

/** A person's git environment: their own git config (identity and SSH signing key), nothing else. */
function person(who: Person | 'agent'): Record<string, string> {
  const config = join(root, `${who}.gitconfig`)
  const signing = who === 'agent' ? '' : `\tsigningKey = ${keys[who].keyFile}\n`
  writeFileSync(config, `[user]\n\tname = ${who}\n\temail = ${who === 'agent' ? 'agent@example.com' : PEOPLE[who]}\n${signing}[gpg]\n\tformat = ssh\n`)
  return { HOME: root, GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1', XDG_STATE_HOME: join(root, 'state'), PLANSPEC_AGENT_KEY: AGENT_KEY }
}

const token = (who: Person): string => `parity-${who}-token`

/** The phase of a run, as `planspec get` shows it. */
async function phaseOf(mode: Mode, name: string): Promise<string | undefined> {
  const { flags, env } = mode.as(undefined)
  const got = await planspec(['get', 'execution', name, '-o', 'json', ...flags], env)
  return got.code === 0 ? (JSON.parse(got.stdout) as { status?: { phase?: string } }).status?.phase : undefined
}

/** Waits (with a deadline) until a run is in one of these phases. */
async function waitForPhase(mode: Mode, name: string, phases: readonly string[]): Promise<void> {
  const deadline = Date.now() + 120_000
  let phase: string | undefined
  while ((phase = await phaseOf(mode, name)) === undefined || !phases.includes(phase)) {
    if (Date.now() > deadline) throw new Error(`${mode.name} mode: ${name} is ${phase}, not ${phases.join(' or ')}`)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/** Runs one step in a mode: what it came to, and what it printed. */
async function runStep(mode: Mode, step: Step): Promise<Summary> {
  if (step.before) await waitForPhase(mode, step.before[0], [step.before[1]])
  const { flags, env } = mode.as(step.who)
  const result = await planspec([...step.args, '-o', 'json', ...flags], env)
  const report = JSON.parse(result.stdout) as { outcome: Summary['outcome']; reason?: string; execution?: string; verdict?: { counted: boolean; reasons?: string[] } }
  const outcome = report.outcome === 'recorded' && report.verdict !== undefined ? (report.verdict.counted ? 'counted' : 'refused') : report.outcome
  const reason = report.reason ?? report.verdict?.reasons?.[0]
  // The run a refused review was recorded for is git mode's own (it records, then the agent refuses).
  return { code: result.code, outcome, ...(reason === undefined ? {} : { reason }), ...(report.execution === undefined || outcome !== 'counted' ? {} : { execution: report.execution }) }
}

/**
 * Drops what legitimately differs between the modes: times, uids and run ids (random), where a
 * review came from (`request:ID` or `api`), refused reviews (git mode records none it refuses
 * before pushing), and the runners' own extensions.
 */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((entry) => (entry as { counted?: unknown } | null)?.counted !== false).map(normalise)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (/(Time|Timestamp)$/.test(k) || ['timestamp', 'uid', 'runId', 'source', 'extensions'].includes(k)) continue
    out[k] = normalise(v)
  }
  return out
}

/** The statuses of the Gates and Executions, by `kind/name`. */
async function statuses(mode: Mode): Promise<Record<string, unknown>> {
  const { flags, env } = mode.as(undefined)
  const all: Record<string, unknown> = {}
  for (const kind of ['gates', 'executions']) {
    const listed = await planspec(['get', kind, '-A', '-o', 'json', ...flags], env)
    expect(listed.code, listed.stderr).toBe(0)
    for (const item of (JSON.parse(listed.stdout) as { items: { kind: string; metadata: { name: string }; status?: unknown }[] }).items) {
      all[`${item.kind}/${item.metadata.name}`] = normalise(item.status ?? null)
    }
  }
  return all
}

/** Runs the whole table in a mode, then waits for every run to end. */
async function runTable(mode: Mode): Promise<{ steps: Summary[]; texts: unknown[]; work: unknown; statuses: Record<string, unknown> }> {
  for (const name of ['e-approve', 'e-reject', 'e-cancel']) await waitForPhase(mode, name, ['Blocked'])
  await waitForPhase(mode, 'e-work', ['Blocked'])
  const steps: Summary[] = []
  const texts: unknown[] = []
  let work: unknown
  for (const step of STEPS) {
    if (step.sameText) {
      const { flags, env } = mode.as(step.who)
      texts.push(await planspec([...step.args, ...flags], env))
    }
    steps.push(await runStep(mode, step))
    if (step.args[1] === 'claim') {
      const { flags, env } = mode.as('mallory')
      const listed = await planspec(['work', 'list', '-o', 'json', ...flags], env)
      expect(listed.code, listed.stderr).toBe(0)
      work = (JSON.parse(listed.stdout) as { since?: string }[]).map(({ since: _since, ...row }) => row)
    }
  }
  for (const name of EXECUTIONS) await waitForPhase(mode, name, ['Succeeded', 'Failed', 'Cancelled'])
  return { steps, texts, work, statuses: await statuses(mode) }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-verb-parity-'))
  for (const who of Object.keys(PEOPLE) as Person[]) keys[who] = await createSshKey(root, who)
  git = await startGitServer({ root })
  serve = await startServe(BIN, root, { executions: true, tokens: (Object.keys(PEOPLE) as Person[]).map((who) => `${token(who)},email:${PEOPLE[who]}${TEAM.includes(who) ? ',acme/editors' : ''}`) })
}, 120_000)
afterAll(async () => {
  if (agent !== undefined && agent.exitCode === null) {
    const exited = new Promise((resolve) => agent!.once('exit', resolve))
    agent.kill('SIGTERM')
    await exited
  }
  await serve?.stop()
  await git?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('verb parity: git mode and server mode', () => {
  it('gives each verb the same exit code, outcome and resulting statuses in both modes', async () => {
    // Git mode: the manifests and the allowed signers on the tracked branch, an agent running with the team file.
    const bare = await createBareRepo(root, 'verbs.git')
    const signers = (Object.keys(PEOPLE) as Person[]).map((who) => keys[who].allowedSigner(PEOPLE[who])).join('\n')
    await pushFixture({ remote: bare, files: { ...manifests(), '.planspec/allowed-signers': `${signers}\n` }, date: Math.floor(Date.now() / 1000) })
    const url = git.url('verbs.git')
    writeFileSync(join(root, 'teams.yaml'), `team:acme/editors: [${TEAM.map((who) => `email:${PEOPLE[who]}`).join(', ')}]\n`)
    const gitMode: Mode = { name: 'git', as: (who) => ({ flags: ['--repo', url, '--cache-dir', join(root, `cache-${who ?? 'reader'}`)], env: person(who ?? 'agent') }) }
    let agentLog = ''
    agent = spawn(process.execPath, [BIN, 'agent', '--repo', url, '--interval', '300ms', '--teams', join(root, 'teams.yaml'), '--cache-dir', join(root, 'agent-cache'), '--workspace', join(root, 'agent-ws')], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PLANSPEC_LOG_LEVEL: 'warn', ...person('agent') }, stdio: ['ignore', 'pipe', 'pipe'] })
    agent.stdout!.on('data', (chunk: Buffer) => (agentLog += chunk.toString()))
    agent.stderr!.on('data', (chunk: Buffer) => (agentLog += chunk.toString()))
    const inGit = await runTable(gitMode).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nagent log:\n${agentLog.slice(-4000)}`)
    })

    // Server mode: the same manifests applied by the same author, the same people as tokens.
    const serverMode: Mode = { name: 'server', as: (who) => ({ flags: ['--server', serve.url], env: who === undefined ? serve.env : { PLANSPEC_TOKEN: token(who) } }) }
    const policy = join(root, 'policy/rbac.yaml')
    mkdirSync(dirname(policy), { recursive: true })
    writeFileSync(policy, [{ apiVersion: V, kind: 'ClusterRole', metadata: { name: 'planspec-editor' }, rules: [{ resources: ['goals', 'plans', 'capabilities', 'bindings', 'executions', 'gates'], verbs: ['*'] }] }, { apiVersion: V, kind: 'ClusterRoleBinding', metadata: { name: 'planspec-editors' }, subjects: [{ kind: 'Group', name: 'system:authenticated' }], roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'planspec-editor' } }].map((doc) => stringify(doc)).join('---\n'))
    expect((await planspec(['apply', '-f', policy, '--server', serve.url], serve.env)).code).toBe(0)
    const files = join(root, 'apply/planspec/parity.yaml')
    mkdirSync(dirname(files), { recursive: true })
    writeFileSync(files, manifests()['planspec/parity.yaml']!)
    const applied = await planspec(['apply', '-f', files, '--server', serve.url], { PLANSPEC_TOKEN: token('author') })
    expect(applied.code, applied.stderr).toBe(0)
    const inServer = await runTable(serverMode)

    // Each mode did what the table says (so agreeing is not agreeing on a mistake), and both agree.
    expect(inGit.steps).toEqual(STEPS.map((step) => step.inGit ?? step.expected))
    expect(inServer.steps).toEqual(STEPS.map((step) => step.expected))
    expect(inGit.texts).toEqual([
      { code: 0, stdout: 'gate/g-approve: approval would be recorded (dry run)\n', stderr: '' },
      { code: 1, stdout: '', stderr: 'error: gate/nope: approval refused: NotFound: gate "nope" not found\n' },
    ])
    expect(inServer.texts).toEqual(inGit.texts)
    expect(inGit.work).toEqual([{ namespace: 'default', execution: 'e-work', node: 'edit', claimedBy: `email:${PEOPLE.editor}` }])
    expect(inServer.work).toEqual(inGit.work)
    expect(Object.keys(inServer.statuses).sort()).toEqual(Object.keys(inGit.statuses).sort())
    const differing = Object.keys(inGit.statuses).filter((key) => !isDeepStrictEqual(inGit.statuses[key], inServer.statuses[key]))
    expect(differing.map((key) => ({ key, git: inGit.statuses[key], server: inServer.statuses[key] }))).toEqual([])
  }, 900_000)
})
