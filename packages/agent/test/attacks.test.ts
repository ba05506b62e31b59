import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runGit } from '@planspec/testing'
import { gateNodeObservation, type ExecutionStatus, type GateStatus } from '@planspec/core'
import { cleanup, filesOf, NODE, startAgent, startRemote, tempDir, type Remote } from './helpers.js'

afterEach(cleanup)

// Each test is one attack from the issue "Gates that cannot be bypassed in git mode", made by
// someone who can push to the status branch (as every reviewer must), against a real git server.

const AUTHOR = { name: 'Fixture Author', email: 'author@fixture.invalid' }
const EDITOR = { name: 'Eddie Editor', email: 'editor@example.com' }
const MALLORY = { name: 'Mallory', email: 'mallory@example.com' }
const teams = new Map([['team:acme/editors', ['email:editor@example.com']]])
const EXECUTION = 'execution/default/changelog-2025-w10'
const GATE = 'gate/default/changelog-approval'
const GATE_FILE = 'default/gates/changelog-approval.yaml'
const EXECUTION_FILE = 'default/executions/changelog-2025-w10.yaml'
const approve = { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, targetGeneration: 1 } as const

/** The minimal example with an allowed-signers file listing the editor, the author and Mallory. */
async function minimal(remote: Remote, extra: Record<string, string | null> = {}): Promise<Record<string, string>> {
  const files = { ...filesOf('examples/minimal'), '.planspec/allowed-signers': await remote.signers({ 'editor@example.com': 'editor', 'author@fixture.invalid': 'author', 'mallory@example.com': 'mallory' }) }
  await remote.push({ ...files, ...extra }, { author: AUTHOR, message: 'add the changelog plan' })
  return files
}

async function raw(remote: Remote, path: string): Promise<string> {
  return (await runGit(['show', `planspec/status:${path}`], { cwd: remote.bare })).stdout
}

const phaseOf = (status: unknown): string | undefined => (status as { phase?: string } | undefined)?.phase
const nodesOf = (status: unknown): NonNullable<ExecutionStatus['nodeStatuses']> => (status as ExecutionStatus | undefined)?.nodeStatuses ?? {}

describe('attacks on the status branch', () => {
  it('ignores a hand-approved Gate status and a hand-finished Execution status, says StatusTampered, restores both, and the run does not move', async () => {
    const remote = await startRemote()
    await minimal(remote)
    const { agent, repo, logs } = await startAgent(remote, { teams })
    await agent.runOnce()
    const gate = await raw(remote, GATE_FILE)
    const run = await raw(remote, EXECUTION_FILE)
    // phase: Approved with an empty review history, and the Gate node marked done.
    const forgedGate = gate.replace(/phase: Waiting/g, 'phase: Approved')
    const forgedRun = run.replace(/phase: Blocked/g, 'phase: Succeeded').replace('reason: AwaitingApproval', 'reason: Approved')
    expect(forgedGate).not.toBe(gate)
    const forged = await remote.push({ [GATE_FILE]: forgedGate, [EXECUTION_FILE]: forgedRun }, { branch: 'planspec/status', message: 'approve', author: MALLORY })
    await agent.runOnce()
    const status = await repo.readStatus()
    expect(phaseOf(status.docs.get(GATE)?.status)).toBe('Waiting')
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { 'editor-approval': { phase: 'Blocked' } } })
    expect(nodesOf(status.docs.get(EXECUTION)?.status).publish?.phase ?? 'Pending').toBe('Pending')
    expect((status.docs.get(GATE)?.status as GateStatus).conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'StatusTampered', status: 'True', message: expect.stringContaining(forged.slice(0, 12)) })]))
    expect((status.docs.get(EXECUTION)?.status as ExecutionStatus).conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'StatusTampered', status: 'True' })]))
    expect(logs.filter((l) => String(l.msg).startsWith('status file ') && l.commit === forged).map((l) => l.path).sort()).toEqual([EXECUTION_FILE, GATE_FILE])
    // The branch itself holds the agents' versions again.
    expect(await raw(remote, GATE_FILE)).toContain('phase: Waiting')
    expect(await raw(remote, EXECUTION_FILE)).toContain('phase: Blocked')
  }, 90_000)

  it('never runs a tree that was never on the tracked branch, whatever runRevision a pushed status names', async () => {
    const remote = await startRemote()
    const files = await minimal(remote)
    const { agent, repo } = await startAgent(remote, { teams })
    await agent.runOnce()
    // The attacker's tree: the same plan, but `publish` runs a command of theirs.
    const canary = join(await tempDir(), 'pwned')
    const bindingFile = Object.keys(files).find((f) => f.includes('bindings/'))!
    const evilBinding = files[bindingFile]!.replace('provider: noop://publish-post', `provider: exec://evil\n        config:\n          command: ${JSON.stringify([NODE, '-e', `require('fs').writeFileSync(${JSON.stringify(canary)}, 'x'); console.log('{}')`])}\n        x-unused:`)
    const evil = await remote.push({ ...files, [bindingFile]: evilBinding }, { branch: 'evil', orphan: true })
    await runGit(['branch', '-D', 'evil'], { cwd: remote.bare })
    const run = await raw(remote, EXECUTION_FILE)
    const recorded = /runRevision: ([0-9a-f]{40})/.exec(run)![1]!
    // The forged status names the attacker's commit, and carries it in as a second parent.
    await remote.push({ [EXECUTION_FILE]: run.replace(recorded, evil) }, { branch: 'planspec/status', mergeWith: [evil] })
    await remote.request(EDITOR, 'editor', approve)
    await agent.runOnce()
    const status = await repo.readStatus()
    expect(status.docs.get(EXECUTION)?.status).toMatchObject({ phase: 'Succeeded', nodeStatuses: { publish: { outputs: { post_url: 'https://engineering.example.com/changelog/2025-w10' } } } })
    expect(status.docs.get(EXECUTION)?.runRevision).toBe(recorded)
    expect(existsSync(canary)).toBe(false)
  }, 90_000)

  it('counts a request only when its commit is signed by an allowed signer for its author: forged, unknown and unsigned approvals are refused with their reason', async () => {
    const remote = await startRemote()
    await minimal(remote)
    const { agent, repo, logs } = await startAgent(remote, { teams })
    await agent.runOnce()
    // Mallory writes the editor's name on an unsigned commit, then on one signed with her own key,
    // then tries a key nobody listed.
    await remote.request(EDITOR, undefined, approve)
    await remote.request(EDITOR, 'mallory', approve)
    await remote.request(EDITOR, 'stranger', approve)
    await agent.runOnce()
    let status = await repo.readStatus()
    const gate = status.docs.get(GATE)?.status as GateStatus
    expect(gate.phase).toBe('Waiting')
    expect(gate.reviewHistory?.map((a) => [a.reviewer, a.counted, a.reason])).toEqual([
      ['email:editor@example.com', false, 'Unsigned'],
      ['email:editor@example.com', false, 'SignerMismatch'],
      ['email:editor@example.com', false, 'UnknownSigner'],
    ])
    expect(phaseOf(status.docs.get(EXECUTION)?.status)).toBe('Blocked')
    expect(logs.filter((l) => String(l.msg).includes('proves no identity')).map((l) => l.reason)).toEqual(['Unsigned', 'SignerMismatch', 'UnknownSigner'])
    // The editor signs with real `git commit -S` (gpg.format=ssh): accepted.
    const id = '20300101T000000000Z-signed'
    const request = `apiVersion: planspec.io/v1alpha1\nkind: Request\nid: ${id}\naction: approve\ntarget: { kind: Gate, namespace: default, name: changelog-approval }\nby: email:editor@example.com\ngeneration: 1\n`
    await remote.push({ [`requests/${id}.yaml`]: request }, { branch: 'planspec/status', author: EDITOR, signingKey: (await remote.key('editor')).keyFile })
    await agent.runOnce()
    status = await repo.readStatus()
    expect(status.docs.get(GATE)?.status).toMatchObject({ phase: 'Approved', executions: [{ name: 'changelog-2025-w10', phase: 'Approved' }] })
    expect((status.docs.get(GATE)?.status as GateStatus).reviewHistory?.at(-1)).toMatchObject({ reviewer: 'email:editor@example.com', counted: true, source: `request:${id}` })
    expect(phaseOf(status.docs.get(EXECUTION)?.status)).toBe('Succeeded')
  }, 90_000)

  it('holds the real change author to separation of duties through a merge and later commits, on a Gate that targets a Plan and lists no reviewers', async () => {
    const remote = await startRemote()
    const files = filesOf('examples/minimal')
    const executionFile = Object.keys(files).find((f) => f.includes('executions/'))!
    const gateFile = Object.keys(files).find((f) => f.includes('gates/'))!
    const { [executionFile]: execution, ...rest } = files
    const planGate = files[gateFile]!.replace(/targetRef:[\s\S]*?requiredApprovers: 1/, 'targetRef:\n    kind: Plan\n    name: publish-changelog\n    nodeId: editor-approval\n  reviewers: []\n  requiredApprovers: 1')
    await remote.push({ ...rest, [gateFile]: planGate, '.planspec/allowed-signers': await remote.signers({ 'editor@example.com': 'editor', 'mallory@example.com': 'mallory', 'alice@example.com': 'alice' }) }, { author: { name: 'Alice', email: 'alice@example.com' } })
    await runGit(['branch', 'feature', 'main'], { cwd: remote.bare })
    // Mallory adds the Execution on a branch; Alice merges it; Bob makes an unrelated commit after.
    const side = await remote.push({ [executionFile]: execution! }, { branch: 'feature', author: MALLORY })
    await remote.push({ [executionFile]: execution! }, { mergeWith: [side], author: { name: 'Alice', email: 'alice@example.com' }, message: 'Merge feature' })
    await remote.push({ 'README.md': 'unrelated\n' }, { author: { name: 'Bob', email: 'bob@example.com' } })
    const { agent, repo } = await startAgent(remote)
    await agent.runOnce()
    let status = await repo.readStatus()
    expect(status.docs.get(EXECUTION)?.changeAuthor).toEqual({ subject: 'email:mallory@example.com', commit: side })
    await remote.request(MALLORY, 'mallory', approve)
    await agent.runOnce()
    status = await repo.readStatus()
    expect(status.docs.get(GATE)?.status).toMatchObject({ phase: 'Waiting', reviewHistory: [{ reviewer: 'email:mallory@example.com', counted: false, reason: 'SelfApproval' }] })
    // An allowed signer who did not write the change approves: with no reviewers listed, that is everyone with write access.
    await remote.request(EDITOR, 'editor', approve)
    await agent.runOnce()
    status = await repo.readStatus()
    expect(phaseOf(status.docs.get(EXECUTION)?.status)).toBe('Succeeded')
  }, 120_000)

  it('lets one approval open one Execution only: a later Execution of the same Plan waits and says why', async () => {
    const remote = await startRemote()
    const files = await minimal(remote)
    const { agent, repo } = await startAgent(remote, { teams })
    await agent.runOnce()
    await remote.request(EDITOR, 'editor', approve)
    await agent.runOnce()
    expect(phaseOf((await repo.readStatus()).docs.get(EXECUTION)?.status)).toBe('Succeeded')
    const executionFile = Object.keys(files).find((f) => f.includes('executions/'))!
    await remote.push({ [executionFile.replace('changelog-2025-w10', 'changelog-2025-w11')]: files[executionFile]!.replace('name: changelog-2025-w10', 'name: changelog-2025-w11') }, { author: AUTHOR })
    await agent.runOnce()
    let status = await repo.readStatus()
    const w11 = status.docs.get('execution/default/changelog-2025-w11')
    expect(w11?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { 'editor-approval': { phase: 'Blocked' } } })
    // What its Gate node observes (and `describe` prints): the approval was for the other run.
    const uid = (await repo.readDesired()).resources.get('execution/default/changelog-2025-w11')!.object.metadata.uid!
    const seen = gateNodeObservation({ metadata: { generation: 1 }, status: status.docs.get(GATE)?.status as GateStatus }, { name: 'changelog-2025-w11', uid, digest: (w11?.status as ExecutionStatus).runDigest! })
    expect(seen).toEqual({ phase: 'Waiting', message: '0 of 1 required approvals for generation 1; approved for changelog-2025-w10, not for changelog-2025-w11' })
    await remote.request(EDITOR, 'editor', approve)
    await agent.runOnce()
    status = await repo.readStatus()
    expect(phaseOf(status.docs.get('execution/default/changelog-2025-w11')?.status)).toBe('Succeeded')
    expect((status.docs.get(GATE)?.status as GateStatus).executions?.map((e) => [e.name, e.phase]).sort()).toEqual([['changelog-2025-w10', 'Approved'], ['changelog-2025-w11', 'Approved']])
  }, 120_000)
})

describe('eligibility of run requests', () => {
  const H = 'apiVersion: planspec.io/v1alpha1\n'
  const repository = (): Record<string, string> => ({
    'goal.yaml': `${H}kind: Goal\nmetadata: { name: docs }\nspec: { description: Docs get written }\n`,
    'capability.yaml': `${H}kind: Capability\nmetadata: { name: writing }\nspec: { description: Writing }\n`,
    'plan.yaml': `${H}kind: Plan\nmetadata: { name: write-docs }\nspec:\n  description: A person writes, then it ships\n  goalRef: { name: docs }\n  graph:\n    nodes:\n      - { id: write, kind: Task, capabilityRefs: [{ name: writing }], outputs: [url] }\n      - { id: ship, kind: Task, dependsOn: [write], capabilityRefs: [{ name: writing }], inputs: { url: "\${{ nodes.write.outputs.url }}" } }\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: { name: people }\nspec:\n  rules:\n    - selector: { planRef: { name: write-docs }, nodeId: write }\n      target: { provider: "human://docs" }\n    - selector: { planRef: { name: write-docs }, nodeId: ship }\n      target: { provider: "noop://ship", config: { outputs: { shipped: true } } }\n`,
    'execution.yaml': `${H}kind: Execution\nmetadata: { name: d1 }\nspec:\n  goalRef: { name: docs }\n  planRef: { name: write-docs }\n  bindingRef: { name: people }\n`,
  })
  const complete = (url: string) => ({ action: 'complete', target: { kind: 'Execution', namespace: 'default', name: 'd1', node: 'write' }, outputs: { url } }) as const

  it('lets only the people a claimable node names complete it, refuses others (recorded with the reason), and refuses cancels that prove nobody', async () => {
    const remote = await startRemote()
    await remote.push({ ...repository(), '.planspec/allowed-signers': await remote.signers({ 'author@fixture.invalid': 'author', 'mallory@example.com': 'mallory', 'dora@example.com': 'dora' }) }, { author: AUTHOR })
    const { agent, repo, logs } = await startAgent(remote, { teams: new Map([['team:docs', ['email:dora@example.com']]]) })
    await agent.runOnce()
    expect((await repo.readStatus()).docs.get('execution/default/d1')?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { write: { phase: 'Blocked', reason: 'AwaitingClaim' } } })
    // Mallory may push (she is an allowed signer) but is not in team:docs: her outputs never reach `ship`.
    const injected = await remote.request(MALLORY, 'mallory', complete('https://evil.example/x'))
    await remote.request({ name: 'Stranger', email: 'stranger@example.com' }, 'stranger', { action: 'cancel', target: { kind: 'Execution', namespace: 'default', name: 'd1' } })
    await remote.request(MALLORY, undefined, { action: 'cancel', target: { kind: 'Execution', namespace: 'default', name: 'd1' } })
    await agent.runOnce()
    let status = await repo.readStatus()
    expect(status.docs.get('execution/default/d1')?.status).toMatchObject({ phase: 'Blocked', nodeStatuses: { write: { phase: 'Blocked' } } })
    expect(status.docs.get('execution/default/d1')?.refusedRequests).toEqual([{ id: injected, reason: 'NotEligible' }])
    expect(logs.filter((l) => String(l.msg).startsWith('request ')).map((l) => `${l.action} ${l.reason}`).sort()).toEqual(['cancel UnknownSigner', 'cancel Unsigned', 'complete NotEligible'])
    // Dora, named by human://docs (team:docs), completes it: her outputs flow on.
    await remote.request({ name: 'Dora', email: 'dora@example.com' }, 'dora', complete('https://docs.example/d1'))
    await agent.runOnce()
    status = await repo.readStatus()
    expect(status.docs.get('execution/default/d1')?.status).toMatchObject({ phase: 'Succeeded', nodeStatuses: { write: { outputs: { url: 'https://docs.example/d1' } }, ship: { phase: 'Succeeded' } } })
  }, 120_000)
})

describe('--allow-unsigned-requests', () => {
  it('counts an unsigned request for its commit author, and says so in a warning every round', async () => {
    const remote = await startRemote()
    await minimal(remote)
    const { agent, repo, logs } = await startAgent(remote, { teams, allowUnsignedRequests: true }, { allowUnsignedRequests: true })
    await agent.runOnce()
    await remote.request(EDITOR, undefined, approve)
    await agent.runOnce()
    const status = await repo.readStatus()
    expect(phaseOf(status.docs.get(EXECUTION)?.status)).toBe('Succeeded')
    expect(logs.filter((l) => String(l.msg).startsWith('--allow-unsigned-requests is on')).length).toBeGreaterThanOrEqual(2)
    expect(logs.some((l) => String(l.msg).includes('(counted for its author: --allow-unsigned-requests)'))).toBe(true)
  }, 90_000)
})
