import fc from 'fast-check'
import { parse, stringify } from 'yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { runGit } from '@planspec/testing'
import type { ExecutionStatus, GateStatus } from '@planspec/core'
import { cleanup, filesOf, startAgent, startRemote, type Remote } from './helpers.js'

afterEach(cleanup)

const AUTHOR = { name: 'Fixture Author', email: 'author@fixture.invalid' }
const EDITOR = { name: 'Eddie Editor', email: 'editor@example.com' }
const GATE_FILE = 'default/gates/changelog-approval.yaml'
const RUN_FILE = 'default/executions/changelog-2025-w10.yaml'
const LEASE_FILE = 'leases/default/executions/changelog-2025-w10.yaml'
const approve = { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'changelog-approval' }, targetGeneration: 1 } as const

/** What an attacker with push access to the status branch (and no allowed signing key of a reviewer) can do. */
type Attack =
  | { readonly type: 'forge-gate' | 'forge-run' | 'forge-history' | 'steal-lease' | 'delete-gate' | 'delete-run' | 'replay-gate' | 'fake-proof' }
  | { readonly type: 'request'; readonly as: 'unsigned' | 'mismatch' | 'unknown' | 'self' }
  | { readonly type: 'garbage'; readonly path: string; readonly content: string }

const attack: fc.Arbitrary<Attack> = fc.oneof(
  fc.constantFrom<Attack>({ type: 'forge-gate' }, { type: 'forge-run' }, { type: 'forge-history' }, { type: 'steal-lease' }, { type: 'delete-gate' }, { type: 'delete-run' }, { type: 'replay-gate' }, { type: 'fake-proof' }),
  fc.constantFrom('unsigned', 'mismatch', 'unknown', 'self').map((as): Attack => ({ type: 'request', as: as as 'unsigned' })),
  fc.record({ path: fc.constantFrom('default/gates/other.yaml', 'zz.yaml', 'default/executions/ghost.yaml', 'leases/default/executions/ghost.yaml'), content: fc.string({ maxLength: 40 }) }).map((g): Attack => ({ type: 'garbage', ...g })),
)

async function show(remote: Remote, rev: string, path: string): Promise<string | undefined> {
  return runGit(['show', `${rev}:${path}`], { cwd: remote.bare }).then((r) => r.stdout, () => undefined)
}

async function perform(remote: Remote, step: Attack): Promise<void> {
  const push = (files: Record<string, string | null>, message = 'attack') => remote.push(files, { branch: 'planspec/status', message, author: { name: 'Mallory', email: 'mallory@example.com' } })
  const gate = (await show(remote, 'planspec/status', GATE_FILE)) ?? ''
  const run = (await show(remote, 'planspec/status', RUN_FILE)) ?? ''
  switch (step.type) {
    case 'forge-gate':
      return void (await push({ [GATE_FILE]: gate.replace(/phase: Waiting/g, 'phase: Approved') }))
    case 'forge-run':
      return void (await push({ [RUN_FILE]: run.replace(/phase: Blocked/g, 'phase: Succeeded') }))
    case 'forge-history': {
      const doc = parse(gate) as { status: GateStatus }
      const entry = doc.status.executions?.[0]
      doc.status = { ...doc.status, phase: 'Approved', reviewHistory: [...(doc.status.reviewHistory ?? []), { reviewer: 'email:editor@example.com', action: 'approve', timestamp: '2030-01-01T00:00:00Z', targetGeneration: 1, counted: true, source: 'request:forged', ...(entry ? { execution: { name: entry.name, uid: entry.uid }, digest: entry.digest } : {}) }], executions: (doc.status.executions ?? []).map((e) => ({ ...e, phase: 'Approved', decidedGeneration: 1 })) }
      return void (await push({ [GATE_FILE]: stringify(doc) }))
    }
    case 'steal-lease':
      return void (await push({ [LEASE_FILE]: 'apiVersion: planspec.io/v1alpha1\nkind: Lease\ntarget: { kind: Execution, namespace: default, name: changelog-2025-w10 }\nholder: mallory\nepoch: 99\nacquiredAt: 2030-01-01T00:00:00Z\nrenewedAt: 2030-01-01T00:00:00Z\nexpiresAt: 2099-01-01T00:00:00Z\n' }))
    case 'delete-gate':
      return void (await push({ [GATE_FILE]: null }))
    case 'delete-run':
      return void (await push({ [RUN_FILE]: null }))
    case 'replay-gate': {
      const first = (await runGit(['rev-list', '--reverse', 'planspec/status', '--', GATE_FILE], { cwd: remote.bare })).stdout.split('\n')[0]
      const old = first ? await show(remote, first, GATE_FILE) : undefined
      return void (old === undefined ? undefined : await push({ [GATE_FILE]: old }))
    }
    case 'fake-proof':
      return void (await push({ [GATE_FILE]: gate.replace(/phase: Waiting/g, 'phase: Approved') }, `status\n\nPlanSpec-Agent-Proof: v1 000000000000 ${'A'.repeat(43)}=\n`))
    case 'request': {
      const who = step.as === 'self' ? AUTHOR : EDITOR
      const key = step.as === 'unsigned' ? undefined : step.as === 'mismatch' ? 'mallory' : step.as === 'unknown' ? 'stranger' : 'author'
      return void (await remote.request(who, key, approve))
    }
    case 'garbage':
      return void (await push({ [step.path]: step.content }))
  }
}

describe('random attacker pushes (property)', () => {
  it('never lets the Gate node succeed, nor the run pass the Gate, without a counted approval', async () => {
    const seed = Number(process.env.PLANSPEC_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31))
    console.log(`attacks.property seed=${seed} (replay with PLANSPEC_PROPERTY_SEED=${seed})`)
    await fc.assert(
      fc.asyncProperty(fc.array(attack, { minLength: 2, maxLength: 4 }), async (attacks) => {
        const remote = await startRemote()
        await remote.push({ ...filesOf('examples/minimal'), '.planspec/allowed-signers': await remote.signers({ 'editor@example.com': 'editor', 'author@fixture.invalid': 'author', 'mallory@example.com': 'mallory' }) }, { author: AUTHOR })
        const { agent } = await startAgent(remote, { teams: new Map([['team:acme/editors', ['email:editor@example.com', 'email:author@fixture.invalid']]]) })
        const observer = await remote.open({ agentKey: remote.agentKey })
        await agent.runOnce()
        for (const step of attacks) {
          await perform(remote, step)
          await agent.runOnce()
          const status = await observer.readStatus()
          const run = status.docs.get('execution/default/changelog-2025-w10')?.status as ExecutionStatus | undefined
          const gate = status.docs.get('gate/default/changelog-approval')?.status as GateStatus | undefined
          expect(gate?.reviewHistory?.some((a) => a.counted !== false && a.action === 'approve') ?? false, JSON.stringify(step)).toBe(false)
          expect(run?.nodeStatuses?.['editor-approval']?.phase, JSON.stringify(step)).not.toBe('Succeeded')
          expect(run?.nodeStatuses?.publish?.phase ?? 'Pending', JSON.stringify(step)).toBe('Pending')
          // What is on the branch after the agent's round is the agents' own version again.
          const onBranch = parse((await show(remote, 'planspec/status', RUN_FILE)) ?? '{}') as { status?: ExecutionStatus } | null
          expect(onBranch?.status?.nodeStatuses?.['editor-approval']?.phase, JSON.stringify(step)).not.toBe('Succeeded')
        }
        await cleanup()
      }),
      { seed, numRuns: 4 },
    )
  }, 600_000)
})
