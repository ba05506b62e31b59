import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { pushFixture, runGit } from '@planspec/testing'
import { acquireLease, appendRequest, createAgentKeyring, parseAgentKeys, readRequests, readStatus, writeStatusCommit } from '../src/index.js'
import { cleanup, startRemote } from './helpers.js'

afterEach(cleanup)

const SOURCE = 'a'.repeat(40)
const key = createAgentKeyring([randomBytes(32)])
const GATE = 'default/gates/release.yaml'

async function show(bare: string, path: string): Promise<string> {
  return (await runGit(['show', `planspec/status:${path}`], { cwd: bare })).stdout
}

describe('agent proof of the status branch', () => {
  it('ignores a status file edited by hand, names the path and the commit, and writes the proven version back', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    let status = await readStatus({ ...agent, agentKey: key })
    await writeStatusCommit({ ...agent, agentKey: key, base: status.head ?? null, sourceRevision: SOURCE, changes: [{ kind: 'Gate', namespace: 'default', name: 'release', status: { phase: 'Waiting', reviewHistory: [] } }] })
    const proven = await show(remote.bare, GATE)
    // An attacker with push access approves the Gate by editing its status file.
    const forged = await pushFixture({ remote: remote.bare, branch: 'planspec/status', files: { [GATE]: proven.replace('phase: Waiting', 'phase: Approved') }, message: 'approve' })
    status = await readStatus({ ...agent, agentKey: key })
    expect(status.docs.get('gate/default/release')?.status).toMatchObject({ phase: 'Waiting' })
    expect(status.tampered).toEqual([{ path: GATE, commit: forged, subject: 'gate/default/release' }])
    expect(status.diagnostics.map((d) => [d.code, d.file])).toEqual([['PS7013', GATE]])
    // Read without the key (a person's `planspec get`), the branch shows what it holds.
    expect((await readStatus(agent)).docs.get('gate/default/release')?.status).toMatchObject({ phase: 'Approved' })
    // The next agent write, even with nothing to change, restores the proven file.
    const result = await writeStatusCommit({ ...agent, agentKey: key, base: status.head ?? null, sourceRevision: SOURCE, changes: [] })
    expect(result.outcome).toBe('committed')
    expect(await show(remote.bare, GATE)).toBe(proven)
    const repaired = await readStatus({ ...agent, agentKey: key })
    expect(repaired.tampered).toEqual([])
    expect(repaired.verified).toBe(result.commit)
  })

  it('trusts nothing on a branch no agent wrote, and nothing signed with an unknown key', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    await pushFixture({ remote: remote.bare, branch: 'planspec/status', files: { [GATE]: 'apiVersion: planspec.io/v1alpha1\nkind: Gate\nmetadata: { namespace: default, name: release }\nstatus: { phase: Approved }\n', 'leases/default/executions/run.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Lease\ntarget: { kind: Execution, namespace: default, name: run }\nholder: mallory\nepoch: 1\nacquiredAt: 2030-01-01T00:00:00Z\nrenewedAt: 2030-01-01T00:00:00Z\nexpiresAt: 2099-01-01T00:00:00Z\n' } })
    const other = createAgentKeyring([randomBytes(32)])
    const first = await readStatus({ ...agent, agentKey: other })
    await writeStatusCommit({ ...agent, agentKey: other, base: first.head ?? null, sourceRevision: SOURCE, changes: [{ kind: 'Plan', namespace: 'default', name: 'p', status: { phase: 'Ready' } }] })
    const status = await readStatus({ ...agent, agentKey: key })
    expect(status.verified).toBeUndefined()
    expect(status.docs.size).toBe(0)
    expect(status.leases.size).toBe(0)
    expect(status.tampered.map((t) => t.path)).toEqual(['default/plans/p.yaml'])
    const keys = await readStatus({ ...agent, agentKey: createAgentKeyring([randomBytes(32), ...other.accepted.map((k) => k.secret)]) })
    // A rotated keyring still accepts the old key's proofs: only the hand-made files are out.
    expect([...keys.docs.keys()]).toEqual(['plan/default/p'])
    expect(keys.leases.size).toBe(0)
  })

  it('detects an older proven version replayed by a new commit (rollback), and keeps requests from the head', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    let status = await readStatus({ ...agent, agentKey: key })
    await writeStatusCommit({ ...agent, agentKey: key, base: status.head ?? null, sourceRevision: SOURCE, changes: [{ kind: 'Gate', namespace: 'default', name: 'release', status: { phase: 'Waiting' } }] })
    const waiting = await show(remote.bare, GATE)
    status = await readStatus({ ...agent, agentKey: key })
    await writeStatusCommit({ ...agent, agentKey: key, base: status.head ?? null, sourceRevision: SOURCE, changes: [{ kind: 'Gate', namespace: 'default', name: 'release', status: { phase: 'Rejected' } }] })
    await appendRequest({ ...(await remote.agent()), request: { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'release' }, by: 'user:alice', generation: 1 } })
    const replay = await pushFixture({ remote: remote.bare, branch: 'planspec/status', files: { [GATE]: waiting } })
    status = await readStatus({ ...agent, agentKey: key })
    expect(status.docs.get('gate/default/release')?.status).toEqual({ phase: 'Rejected' })
    expect(status.tampered).toEqual([{ path: GATE, commit: replay, subject: 'gate/default/release' }])
    expect(status.requestPaths).toHaveLength(1)
  })

  it('proves lease commits and attests requests an agent records for someone', async () => {
    const remote = await startRemote()
    const agent = await remote.agent()
    await acquireLease({ ...agent, agentKey: key, execution: { namespace: 'default', name: 'run' }, holder: 'agent-a' })
    const status = await readStatus({ ...agent, agentKey: key })
    expect(status.leases.get('execution/default/run')?.holder).toBe('agent-a')
    expect(status.tampered).toEqual([])
    await appendRequest({ ...agent, agentKey: key, request: { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'release' }, by: 'user:octocat', generation: 1 } })
    await appendRequest({ ...agent, request: { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'release' }, by: 'user:mallory', generation: 1 } })
    const log = await readRequests({ ...agent, agentKey: key })
    expect(log.requests.map((r) => [r.request.by, r.attested])).toEqual([['user:octocat', true], ['user:mallory', false]])
  })

  it('parses keys one per line and refuses short or malformed ones without echoing them', () => {
    const text = `# agent keys\n${randomBytes(32).toString('base64')}\n\n${randomBytes(48).toString('base64')}\n`
    expect(createAgentKeyring(parseAgentKeys(text)).accepted).toHaveLength(2)
    expect(() => createAgentKeyring(parseAgentKeys(randomBytes(16).toString('base64')))).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' }))
    let error: unknown
    try {
      parseAgentKeys('not a key: s3cr3t-value')
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'PLANSPEC_ERR_GIT_INVALID_INPUT' })
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('s3cr3t')
  })
})
