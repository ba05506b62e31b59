// Server mode end to end: a real `planspec serve` process (the bundle), driven through the CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { resolveContext } from '../src/commands/server/resolve-context.js'
import { clientFor, createHttpResourceClient } from '@planspec/client'
import { runGet, type GetOptions } from '../src/commands/get.js'
import { runRequest, type RequestVerb } from '../src/commands/request.js'
import { runCli, type CommandIO } from '../src/index.js'
import { cli, REPO, tempTree } from './helpers.js'

const BIN = join(REPO, 'packages/cli/bin/planspec.js')
/** `planspec get` against the server through the client port (the verb is written once for both modes). */
const runServerGet = (options: GetOptions, io: CommandIO): Promise<number> => runGet(createHttpResourceClient({ api: clientFor({ server: url }, io) }), options, io)
/** An action against the server through the client port (the verb is written once for both modes). */
const runServerRequest = (action: RequestVerb, target: { kind: 'Gate' | 'Execution'; name: string; node?: string }, io: CommandIO): Promise<number> => runRequest(createHttpResourceClient({ api: clientFor({ server: url }, io) }), action, target, {}, io)
const TOKENS = { admin: 'admin-test-token-7f3a', alice: 'alice-test-token-91c2', carol: 'carol-test-token-04be' } as const
const ADMIN = { PLANSPEC_TOKEN: TOKENS.admin }
const EXECUTION = 'changelog-2025-w10'
type Obj = Record<string, any>

const work = mkdtempSync(join(tmpdir(), 'planspec-server-mode-'))
const db = join(work, 'planspec.db')
const tokensFile = join(work, 'tokens.csv')
writeFileSync(tokensFile, [`${TOKENS.admin},admin,system:masters`, `${TOKENS.alice},alice,acme/editors`, `${TOKENS.carol},carol,acme/dev`].join('\n'))
let server: ChildProcess | undefined
let url = ''
/** The log of the server process started last. */
let serverLog = ''
const outputs: string[] = []

/** Starts `planspec serve` from the bundle and resolves with the URL it logs. */
async function startServer(listen: string): Promise<string> {
  // --access-log: the requests the server was sent are read back from its log (none is logged by default).
  const child = spawn(process.execPath, [BIN, 'serve', '--insecure-http', '--db', db, '--listen', listen, '--tokens', tokensFile, '--workspace', join(work, 'runs'), '--access-log'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PLANSPEC_LOG_LEVEL: 'info' } })
  server = child
  serverLog = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${serverLog}`)), 20_000)
    child.stderr!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()))
    child.stdout!.on('data', (chunk: Buffer) => {
      serverLog += chunk.toString()
      const found = /"url":"(http:\/\/[^"]+)"/.exec(serverLog)
      if (found) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${serverLog}`)))
  })
}

async function stopServer(): Promise<number | null> {
  const child = server
  if (child === undefined || child.exitCode !== null) return child?.exitCode ?? null
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  return exited
}

/** Runs the CLI in-process and remembers the output (to prove no token is ever printed). */
async function run(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = await cli(argv, { env: ADMIN, ...options })
  outputs.push(result.stdout, result.stderr)
  return result
}

/** A CLI run that keeps going (watch) until `stop()`, with its output readable while it runs. */
function startCli(argv: string[], env: Record<string, string> = ADMIN) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const abort = new AbortController()
  const io: CommandIO = { stdout, stderr, stdin: Readable.from(['']), cwd: REPO, env, signal: abort.signal }
  const done = runCli(argv, io)
  return {
    output: () => out,
    async until(predicate: (text: string) => boolean, ms = 15_000) {
      const deadline = Date.now() + ms
      while (!predicate(out)) {
        if (Date.now() > deadline) throw new Error(`output condition not met:\n${out}\n${err}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    async stop() {
      abort.abort()
      const code = await done
      outputs.push(out, err)
      return { code, stdout: out, stderr: err }
    },
  }
}

/** Calls a server-mode function directly with captured streams (the verbs git mode dispatches to). */
async function call(work: (io: CommandIO) => Promise<number>, env: Record<string, string> = ADMIN) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const code = await work({ stdout, stderr, stdin: Readable.from(['']), cwd: REPO, env })
  outputs.push(out, err)
  return { code, stdout: out, stderr: err }
}

async function getExecution(name: string): Promise<Obj> {
  const res = await call((io) => runServerGet({ kind: 'execution', name, allNamespaces: false, output: 'json' }, io))
  expect(res.code, res.stderr).toBe(0)
  return JSON.parse(res.stdout) as Obj
}

async function waitForPhase(name: string, phase: string): Promise<Obj> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const execution = await getExecution(name)
    if (execution.status?.phase === phase) return execution
    if (Date.now() > deadline) throw new Error(`${name} is ${execution.status?.phase}, not ${phase}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const minimalCopy = join(work, 'minimal')
const extras = tempTree({
  'claim.yaml': `apiVersion: planspec.io/v1alpha1
kind: Capability
metadata: { name: editing }
spec: { description: Editing by hand }
---
apiVersion: planspec.io/v1alpha1
kind: Plan
metadata: { name: by-hand }
spec:
  description: one node a person does
  graph:
    nodes:
      - { id: edit, kind: Task, capabilityRefs: [{ name: editing }], outputs: [verdict] }
---
apiVersion: planspec.io/v1alpha1
kind: Binding
metadata: { name: people }
spec:
  rules:
    - selector: { capabilityRef: { name: editing } }
      target: { provider: "human://team:acme/editors" }
---
apiVersion: planspec.io/v1alpha1
kind: Execution
metadata: { name: by-hand-1 }
spec: { planRef: { name: by-hand }, bindingRef: { name: people } }
`,
  'held.yaml': `apiVersion: planspec.io/v1alpha1
kind: Plan
metadata: { name: held }
spec:
  description: waits on a gate nobody approves
  graph:
    nodes:
      - { id: hold, kind: Gate, gateRef: { name: hold } }
---
apiVersion: planspec.io/v1alpha1
kind: Gate
metadata: { name: hold }
spec: { gateType: approval, targetRef: { kind: Execution, name: held-1 }, reviewers: ["team:acme/editors"] }
---
apiVersion: planspec.io/v1alpha1
kind: Execution
metadata: { name: held-1 }
spec: { planRef: { name: held } }
---
apiVersion: planspec.io/v1alpha1
kind: Plan
metadata: { name: needs-gate }
spec:
  description: references a gate that is created later
  graph:
    nodes:
      - { id: check, kind: Gate, gateRef: { name: late-gate } }
---
apiVersion: planspec.io/v1alpha1
kind: Execution
metadata: { name: late-1 }
spec: { planRef: { name: needs-gate } }
`,
  'late-gate.yaml': `apiVersion: planspec.io/v1alpha1
kind: Gate
metadata: { name: late-gate }
spec: { gateType: approval, targetRef: { kind: Execution, name: late-1 }, reviewers: ["team:acme/editors"] }
`,
})

// RBAC is on whenever tokens are: the operator (a system:masters token) lets every user work on
// the PlanSpec kinds, as a real installation would bootstrap it.
const policy = tempTree({
  'rbac.yaml': `apiVersion: planspec.io/v1alpha1
kind: ClusterRole
metadata: { name: planspec-editor }
rules:
  - { resources: [goals, plans, capabilities, bindings, executions, gates], verbs: ["*"] }
---
apiVersion: planspec.io/v1alpha1
kind: ClusterRoleBinding
metadata: { name: planspec-editors }
subjects: [{ kind: Group, name: "system:authenticated" }]
roleRef: { apiGroup: planspec.io, kind: ClusterRole, name: planspec-editor }
`,
})

beforeAll(async () => {
  cpSync(join(REPO, 'examples/minimal'), minimalCopy, { recursive: true })
  url = await startServer('127.0.0.1:0')
  const granted = await run(['apply', '-f', policy, '--server', url])
  expect(granted.code, granted.stderr).toBe(0)
}, 30_000)

afterAll(async () => {
  await stopServer()
  rmSync(work, { recursive: true, force: true })
  rmSync(extras, { recursive: true, force: true })
  rmSync(policy, { recursive: true, force: true })
})

describe('planspec against a server', () => {
  it('serves from the bundle: help, and refuses requests without a token (exit 2)', async () => {
    const help = spawnSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('--allow-command <pattern>')
    const anonymous = await run(['apply', '-f', minimalCopy, '--server', url], { env: {} })
    expect(anonymous.code).toBe(2)
    expect(anonymous.stderr).toMatch(/PLANSPEC_TOKEN/)
    const bad = await run(['apply', '-f', minimalCopy, '--server', 'http://127.0.0.1:1'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1/)
  })

  it('applies examples/minimal: created, then unchanged, then configured after an edit', async () => {
    const dry = await run(['apply', '-f', minimalCopy, '--server', url, '--dry-run'])
    expect(dry.stdout).toContain('plan/publish-changelog created (server dry run)')
    const first = await run(['apply', '-f', minimalCopy, '--server', url])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout.trim().split('\n').sort()).toEqual(
      ['binding/changelog-providers', 'capability/changelog-automation', `execution/${EXECUTION}`, 'gate/changelog-approval', 'goal/weekly-changelog', 'plan/publish-changelog'].map((s) => `${s} created`),
    )
    expect(first.stderr).toBe('')
    const again = await run(['apply', '-f', minimalCopy, '--server', url])
    expect(again.stdout.trim().split('\n').every((line) => line.endsWith(' unchanged'))).toBe(true)
    const goalFile = join(minimalCopy, 'planspec/goals/weekly-changelog.yaml')
    writeFileSync(goalFile, readFileSync(goalFile, 'utf8').replace('timeout: 24h', 'timeout: 48h'))
    const edited = await run(['apply', '-f', minimalCopy, '--server', url, '-o', 'json'])
    const actions = Object.fromEntries((JSON.parse(edited.stdout) as Obj).results.map((r: Obj) => [r.subject, r.action]))
    expect(actions).toMatchObject({ 'goal/default/weekly-changelog': 'configured', 'plan/default/publish-changelog': 'unchanged' })
  })

  it('applies as the field manager planspec: another manager\'s field is a conflict until --force-conflicts, and a field dropped from the file goes', async () => {
    const file = join(work, 'owned-goal.yaml')
    const goalUrl = `${url}/apis/planspec.io/v1alpha1/namespaces/default/goals/owned`
    const read = async () => (await (await fetch(goalUrl, { headers: { authorization: `Bearer ${TOKENS.admin}` } })).json()) as Obj
    writeFileSync(file, 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: owned\nspec:\n  description: Owned by planspec\n  priority: 5\n')
    expect((await run(['apply', '-f', file, '--server', url])).code).toBe(0)
    expect((await read()).metadata.managedFields).toEqual([expect.objectContaining({ manager: 'planspec', operation: 'Apply' })])
    // Another manager (kubectl, say) changes the description.
    const patched = await fetch(`${goalUrl}?fieldManager=kubectl-edit`, { method: 'PATCH', headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { description: 'Edited by hand' } }) })
    expect(patched.status).toBe(200)
    const conflict = await run(['apply', '-f', file, '--server', url])
    expect(conflict.code).toBe(1)
    expect(conflict.stderr).toContain('conflict with "kubectl-edit"')
    expect((await read()).spec.description).toBe('Edited by hand')
    writeFileSync(file, 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: owned\nspec:\n  description: Owned by planspec\n')
    const forced = await run(['apply', '-f', file, '--server', url, '--force-conflicts'])
    expect(forced.code, forced.stderr).toBe(0)
    expect((await read()).spec).toEqual({ description: 'Owned by planspec' })
  }, 60_000)

  it('rejects invalid files before sending them, with file:line:col', async () => {
    const dir = tempTree({ 'bad.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: Bad_Name\nspec:\n  description: x\n' })
    const res = await run(['apply', '-f', dir, '--server', url])
    rmSync(dir, { recursive: true, force: true })
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/bad\.yaml:4:\d+/)
  })

  // get, describe and approve go through the command line's routing (--server) like a user types them.
  it('runs the Execution in the server: get (table, json) and describe show it Blocked on its gate', async () => {
    const blocked = await waitForPhase(EXECUTION, 'Blocked')
    expect(blocked.status.nodeStatuses).toMatchObject({ collect: { phase: 'Succeeded' }, draft: { phase: 'Succeeded' }, 'editor-approval': { phase: 'Blocked' } })
    const table = await run(['get', 'executions', '--server', url])
    expect(table.stdout).toMatch(/^NAMESPACE\s+NAME\s+/)
    expect(table.stdout).toMatch(new RegExp(`default\\s+${EXECUTION}\\s+.*Blocked`))
    const list = await run(['get', 'ex', '-n', 'default', '--server', url, '-o', 'json'])
    expect((JSON.parse(list.stdout) as Obj).items.map((i: Obj) => i.metadata.name)).toEqual([EXECUTION])
    const names = await run(['get', 'plans', '-A', '--server', url, '-o', 'name', '-l', 'planspec.io/goal=weekly-changelog'])
    expect(names.stdout).toBe('plan/publish-changelog\n')
    const described = await run(['describe', 'execution', EXECUTION, '--server', url])
    expect(described.stdout).toContain(`Name:         ${EXECUTION}`)
    expect(described.stdout).toMatch(/Nodes:[\s\S]*editor-approval\s+Blocked/)
    const missing = await run(['get', 'execution', 'nope', '--server', url])
    expect(missing.code).toBe(1)
  })

  it('streams live events while the run goes on; approval by an eligible reviewer lets it succeed', async () => {
    const watch = startCli(['watch', 'executions', '-n', 'default', '--server', url])
    await watch.until((text) => text.includes(`ADDED execution/${EXECUTION} Blocked`))
    const refused = await run(['approve', 'changelog-approval', '--server', url], { env: { PLANSPEC_TOKEN: TOKENS.carol } })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/NotEligible|not an eligible reviewer/)
    const dry = await run(['approve', 'changelog-approval', '--server', url, '--dry-run'], { env: { PLANSPEC_TOKEN: TOKENS.alice } })
    expect(dry.stdout).toBe('gate/changelog-approval: approval would be recorded (dry run)\n')
    const approved = await run(['approve', 'changelog-approval', '--server', url, '--comment', 'reads well'], { env: { PLANSPEC_TOKEN: TOKENS.alice } })
    expect(approved.code, approved.stderr).toBe(0)
    expect(approved.stdout).toBe(`gate/changelog-approval: approval for ${EXECUTION} recorded\ngate/changelog-approval: approve counted for ${EXECUTION}; the Gate is Approved\n`)
    await watch.until((text) => text.includes(`MODIFIED execution/${EXECUTION} Succeeded`))
    const { code, stdout } = await watch.stop()
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n')
    expect(lines.indexOf(`MODIFIED execution/${EXECUTION} Running`)).toBeGreaterThan(0)
    expect(lines.indexOf(`MODIFIED execution/${EXECUTION} Running`)).toBeLessThan(lines.indexOf(`MODIFIED execution/${EXECUTION} Succeeded`))
    const done = await getExecution(EXECUTION)
    expect(done.status.nodeStatuses.publish).toMatchObject({ phase: 'Succeeded', outputs: { post_url: 'https://engineering.example.com/changelog/2025-w10' } })
  })

  it('completes claimable work with planspec work complete --server: the outputs are recorded and the run succeeds', async () => {
    expect((await run(['apply', '-f', join(extras, 'claim.yaml'), '--server', url])).code).toBe(0)
    const blocked = await waitForPhase('by-hand-1', 'Blocked')
    expect(blocked.status.nodeStatuses.edit).toMatchObject({ phase: 'Blocked', reason: 'AwaitingClaim' })
    // The node's target names the team acme/editors: Carol (acme/dev) may update executions, but is not eligible.
    const notEligible = await run(['work', 'complete', 'by-hand-1', 'edit', 'verdict=ship', '--server', url], { env: { PLANSPEC_TOKEN: TOKENS.carol } })
    expect(notEligible.code).toBe(1)
    expect(notEligible.stderr).toContain('may not complete node "edit"')
    const done = await run(['work', 'complete', 'by-hand-1', 'edit', 'verdict=ship', '--server', url], { env: { PLANSPEC_TOKEN: TOKENS.alice } })
    expect(done.code, done.stderr).toBe(0)
    expect(done.stdout).toBe('execution/by-hand-1: completion recorded; the server decides\n')
    const finished = await waitForPhase('by-hand-1', 'Succeeded')
    expect(finished.status.nodeStatuses.edit).toMatchObject({ phase: 'Succeeded', outputs: { verdict: 'ship' } })
    expect((await run(['work', 'complete', 'by-hand-1', 'edit', '--server', url], { env: { PLANSPEC_TOKEN: TOKENS.alice } })).code).toBe(1)
  })

  it('cancels a blocked run and retries a failed one through the server', async () => {
    expect((await run(['apply', '-f', join(extras, 'held.yaml'), '--server', url])).code).toBe(0)
    await waitForPhase('held-1', 'Blocked')
    const cancel = await call((io) => runServerRequest('cancel', { kind: 'Execution', name: 'held-1' }, io))
    expect(cancel.stdout).toBe('execution/held-1: cancel recorded; the server decides\n')
    await waitForPhase('held-1', 'Cancelled')
    expect((await call((io) => runServerRequest('cancel', { kind: 'Execution', name: 'held-1' }, io))).code).toBe(1)

    const failed = await waitForPhase('late-1', 'Failed')
    expect(failed.status.reason).toBe('GateNotFound')
    // A retry of the gate node alone: the Gate still does not exist, so the run fails again, once.
    expect((await call((io) => runServerRequest('retry', { kind: 'Execution', name: 'late-1', node: 'check' }, io))).code).toBe(0)
    const requested = (await getExecution('late-1')).metadata.annotations as Obj
    expect(requested['planspec.io/retry-nodes']).toBe('check')
    for (let i = 0; (await getExecution('late-1')).status.extensions?.['io.planspec.retryApplied'] !== requested['planspec.io/retry']; i++) {
      if (i > 100) throw new Error('the retry was not applied')
      await new Promise((r) => setTimeout(r, 100))
    }
    expect((await waitForPhase('late-1', 'Failed')).status.nodeStatuses.check).toMatchObject({ phase: 'Failed', reason: 'GateNotFound' })
    expect((await run(['apply', '-f', join(extras, 'late-gate.yaml'), '--server', url])).code).toBe(0)
    const retry = await call((io) => runServerRequest('retry', { kind: 'Execution', name: 'late-1' }, io))
    expect(retry.stdout).toBe('execution/late-1: retry recorded; the server decides\n')
    await waitForPhase('late-1', 'Blocked')
    expect((await call((io) => runServerRequest('approve', { kind: 'Gate', name: 'late-gate' }, io), { PLANSPEC_TOKEN: TOKENS.alice })).code).toBe(0)
    await waitForPhase('late-1', 'Succeeded')
    expect((await call((io) => runServerRequest('retry', { kind: 'Execution', name: 'late-1' }, io))).code).toBe(1)
  })

  it('diffs files against the server: 0 in sync, 1 with changes (unified YAML diff), >1 on errors', async () => {
    const same = await run(['diff', '-f', minimalCopy, '--server', url])
    expect(same.code, same.stderr).toBe(0)
    expect(same.stdout).toBe('')
    const planFile = join(minimalCopy, 'planspec/plans/publish-changelog.yaml')
    const original = readFileSync(planFile, 'utf8')
    writeFileSync(planFile, original.replace("Collect last week's merged pull requests", 'Collect merged pull requests'))
    const changed = await run(['diff', '-f', minimalCopy, '--server', url])
    expect(changed.code).toBe(1)
    expect(changed.stdout).toContain('--- live/plan/default/publish-changelog.yaml\n+++ desired/plan/default/publish-changelog.yaml\n@@ ')
    expect(changed.stdout).toMatch(/^- {2}description: Collect last week's merged pull requests/m)
    expect(changed.stdout).toMatch(/^\+ {2}description: Collect merged pull requests/m)
    expect(changed.stdout).not.toContain('resourceVersion')
    writeFileSync(planFile, original)
    const execFile = join(minimalCopy, 'planspec/executions/changelog-2025-w10.yaml')
    writeFileSync(execFile, readFileSync(execFile, 'utf8').replace('name: changelog-providers', 'name: other-providers'))
    const immutable = await run(['diff', '-f', minimalCopy, '--server', url])
    expect(immutable.code).toBe(2)
    expect(immutable.stderr).toMatch(/immutable/)
    writeFileSync(execFile, readFileSync(execFile, 'utf8').replace('name: other-providers', 'name: changelog-providers'))
    expect((await run(['diff', '-f', minimalCopy, '--server', 'http://127.0.0.1:1'])).code).toBe(2)
  })

  it('edits a resource in $EDITOR with its resourceVersion, and refuses a concurrent change', async () => {
    const script = join(work, 'editor.mjs')
    writeFileSync(
      script,
      `import { readFileSync, writeFileSync } from 'node:fs'
const file = process.argv[2]
if (process.env.BUMP_URL) {
  // Someone else changes the object while the editor is open.
  const headers = { authorization: 'Bearer ' + process.env.PLANSPEC_TOKEN, 'content-type': 'application/json' }
  const live = await (await fetch(process.env.BUMP_URL, { headers })).json()
  live.spec.description = 'changed meanwhile'
  await fetch(process.env.BUMP_URL, { method: 'PUT', headers, body: JSON.stringify(live) })
}
writeFileSync(file, readFileSync(file, 'utf8').replace(/^  description: [^\\n]*/m, '  description: ' + process.env.NEW_TEXT))
`,
    )
    const editor = `"${process.execPath}" ${script}`
    const edited = await run(['edit', 'goal', 'weekly-changelog', '--server', url], { env: { ...ADMIN, EDITOR: editor, NEW_TEXT: 'edited in the editor' } })
    expect(edited.code, edited.stderr).toBe(0)
    expect(edited.stdout).toBe('goal/weekly-changelog edited\n')
    const goal = await call((io) => runServerGet({ kind: 'goal', name: 'weekly-changelog', allNamespaces: false, output: 'json' }, io))
    expect((JSON.parse(goal.stdout) as Obj).spec.description).toBe('edited in the editor')

    const bump = `${url}/apis/planspec.io/v1alpha1/namespaces/default/goals/weekly-changelog`
    const conflict = await run(['edit', 'goal', 'weekly-changelog', '--server', url], { env: { ...ADMIN, EDITOR: editor, NEW_TEXT: 'lost update', BUMP_URL: bump } })
    expect(conflict.code).toBe(1)
    expect(conflict.stderr).toMatch(/goal\/weekly-changelog was changed on the server since it was opened/)
    const after = await call((io) => runServerGet({ kind: 'goal', name: 'weekly-changelog', allNamespaces: false, output: 'json' }, io))
    expect((JSON.parse(after.stdout) as Obj).spec.description).toBe('changed meanwhile')

    const unchanged = await run(['edit', 'goal', 'weekly-changelog', '--server', url], { env: { ...ADMIN, EDITOR: `"${process.execPath}" -e ""` } })
    expect(unchanged.stdout).toBe('Edit cancelled, no changes made.\n')
  })

  it('resumes a watch after the connection drops (server restart) without repeating events', async () => {
    const watch = startCli(['watch', 'executions', '-n', 'default', '--server', url, '-o', 'json'])
    await watch.until((text) => text.includes(`"name":"${EXECUTION}"`))
    const before = watch.output()
    expect(await stopServer()).toBe(0)
    url = await startServer(new URL(url).host)
    const file = tempTree({ 'w11.yaml': `apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: { name: changelog-2025-w11 }\nspec: { planRef: { name: publish-changelog }, bindingRef: { name: changelog-providers } }\n` })
    expect((await run(['apply', '-f', file, '--server', url])).code).toBe(0)
    rmSync(file, { recursive: true, force: true })
    await watch.until((text) => /"type":"ADDED","object":\{[^\n]*"name":"changelog-2025-w11"/.test(text))
    const { code, stdout } = await watch.stop()
    expect(code).toBe(0)
    // The objects listed before the drop are not listed again, and the restarted server was asked
    // to resume from the last version seen (not to list again).
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as Obj)
    expect(events.filter((e) => e.object.metadata.name === EXECUTION && e.type === 'ADDED')).toHaveLength(1)
    // A watch is in the access log once it ends (its line carries its whole duration).
    await vi.waitFor(() => expect(serverLog).toMatch(/"url":"\/apis\/planspec\.io\/v1alpha1\/namespaces\/default\/executions\?watch=true[^"]*&resourceVersion=\d+"/), { timeout: 20_000, interval: 50 })
    expect(serverLog).not.toMatch(/executions\?watch=true[^"]*sendInitialEvents=true/)
    expect(stdout.startsWith(before)).toBe(true)
  })

  it('re-lists after 410 Gone: only what changed is printed again, vanished objects as DELETED', async () => {
    const object = (name: string, rv: string, phase: string) => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'Execution', metadata: { name, namespace: 'default', resourceVersion: rv }, status: { phase } })
    const requests: string[] = []
    const fake = createServer((req: IncomingMessage, res: ServerResponse) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams
      requests.push(`${query.get('resourceVersion') ?? '-'} ${query.get('sendInitialEvents') ?? '-'}`)
      const send = (...events: object[]) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(events.map((e) => `${JSON.stringify(e)}\n`).join(''))
      }
      const bookmark = (rv: string) => ({ type: 'BOOKMARK', object: { kind: 'Execution', apiVersion: 'planspec.io/v1alpha1', metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } } })
      if (requests.length === 1) return send({ type: 'ADDED', object: object('a', '5', 'Running') }, { type: 'ADDED', object: object('gone', '6', 'Running') }, bookmark('6'))
      if (requests.length === 2) {
        res.writeHead(410, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 6 (9)', reason: 'Gone', code: 410 }))
      }
      if (requests.length === 3) return send({ type: 'ADDED', object: object('a', '5', 'Running') }, { type: 'ADDED', object: object('b', '8', 'Pending') }, bookmark('9'), { type: 'MODIFIED', object: object('a', '10', 'Succeeded') })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'fell behind' } })}\n`)
      res.end()
    })
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
    const fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
    const watch = startCli(['watch', 'executions', '-n', 'default', '--server', fakeUrl])
    await watch.until(() => requests.length >= 5)
    const { code, stdout } = await watch.stop()
    await new Promise<void>((resolve) => fake.close(() => resolve()))
    expect(code).toBe(0)
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      'ADDED execution/a Running',
      'ADDED execution/gone Running',
      'ADDED execution/b Pending',
      'DELETED execution/gone Running',
      'MODIFIED execution/a Succeeded',
    ])
    expect(requests.slice(0, 5)).toEqual(['- true', '6 -', '- true', '10 -', '- true'])
  })

  it('deletes by kind and name; a missing name is exit 1 unless --ignore-not-found', async () => {
    const deleted = await run(['delete', 'execution', 'held-1', '--server', url])
    expect(deleted.stdout).toBe('execution/held-1 deleted\n')
    const again = await run(['delete', 'execution', 'held-1', '--server', url])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('execution "held-1" not found')
    expect((await run(['delete', 'execution', 'held-1', '--server', url, '--ignore-not-found'])).code).toBe(0)
    expect((await call((io) => runServerGet({ kind: 'execution', name: 'held-1', allNamespaces: false, output: 'name' }, io))).code).toBe(1)
  })

  it('switches contexts in the user config (never rewriting the committed .planspec.yaml) and then needs no --server', async () => {
    const cwd = tempTree({
      '.planspec.yaml': `# team settings
namespace: default
contexts:
  local: # the test server
    server: ${url}
    namespace: default
    tokenEnv: TEST_ADMIN_TOKEN
  checkout:
    repo: .
currentContext: checkout
`,
    })
    const committed = readFileSync(join(cwd, '.planspec.yaml'), 'utf8')
    const env = { TEST_ADMIN_TOKEN: TOKENS.admin, PLANSPEC_CONFIG: join(cwd, 'user-config') }
    const listed = await run(['config', 'get-contexts'], { cwd, env })
    expect(listed.stdout).toMatch(/^\*\s+checkout\s+\.\s*$/m)
    expect(listed.stdout).toMatch(/^\s+local\s+http:\/\/127\.0\.0\.1:\d+\s+default$/m)
    const repoMode = await run(['apply', '-f', minimalCopy], { cwd, env })
    expect(repoMode.code).toBe(2)
    expect(repoMode.stderr).toMatch(/talks to a server/)
    expect((await run(['config', 'use-context', 'nope'], { cwd, env })).code).toBe(1)
    const switched = await run(['config', 'use-context', 'local'], { cwd, env })
    expect(switched.stdout).toBe(`Switched to context "local" (in ${join(cwd, 'user-config')}).\n`)
    expect(readFileSync(join(cwd, '.planspec.yaml'), 'utf8')).toBe(committed)
    expect(parse(readFileSync(join(cwd, 'user-config'), 'utf8'))).toEqual({ currentContext: 'local' })
    expect(statSync(join(cwd, 'user-config')).mode & 0o777).toBe(0o600)
    expect((await run(['config', 'current-context'], { cwd, env })).stdout).toBe('local\n')

    // The edit test's concurrent writer (another field manager) changed a description: taking it back is a forced apply.
    const applied = await run(['apply', '-f', minimalCopy, '--force-conflicts'], { cwd, env })
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stdout).toContain('plan/publish-changelog unchanged')
    expect((await run(['diff', '-f', minimalCopy], { cwd, env })).code).toBe(0)
    const target = await resolveContext({}, { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from(['']), cwd, env })
    expect(target).toEqual({ mode: 'server', server: url, namespace: 'default', token: TOKENS.admin })
    expect(await resolveContext({ repo: '.' }, { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from(['']), cwd, env })).toMatchObject({ mode: 'repo', repo: '.' })
    const noToken = await run(['delete', 'goal', 'weekly-changelog'], { cwd, env: { PLANSPEC_CONFIG: env.PLANSPEC_CONFIG } })
    expect(noToken.code).toBe(2)
    rmSync(cwd, { recursive: true, force: true })
  })

  it('never prints a token, and the server stops cleanly on SIGTERM', async () => {
    for (const text of outputs) for (const token of Object.values(TOKENS)) expect(text).not.toContain(token)
    expect(await stopServer()).toBe(0)
  })
})
