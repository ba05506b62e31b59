import { parseAllDocuments } from 'yaml'
import { describe, expect, it } from 'vitest'
import type { ResourceView } from '@planspec/client'
import { whyBlocked, workItems } from '../src/index.js'
import { exampleFiles } from './support.js'

/** The example's resources as a client lists them, with the statuses given. */
function views(statuses: Record<string, unknown>): ResourceView[] {
  return Object.values(exampleFiles()).flatMap((text) =>
    parseAllDocuments(text).flatMap((doc) => {
      const object = doc.toJSON() as { kind: string; metadata: { name: string } } | null
      if (object === null || object.metadata === undefined) return []
      const status = statuses[`${object.kind}/${object.metadata.name}`]
      return [{ kind: object.kind, name: object.metadata.name, namespace: 'default', object: { ...object, metadata: { ...object.metadata, namespace: 'default' } }, ...(status === undefined ? {} : { status }) }]
    }),
  )
}

describe('whyBlocked', () => {
  it('names the worker a node waits for and who may take it, with its resolved inputs in the work list', () => {
    const all = views({ 'Execution/api-reference-2025-10': { phase: 'Blocked', nodeStatuses: { draft: { phase: 'Blocked', reason: 'AwaitingClaim', attempt: 1, startTime: '2025-10-01T00:00:00Z' } } } })
    const run = all.find((r) => r.kind === 'Execution')!
    expect(whyBlocked(run, all)).toEqual({
      subject: 'execution/default/api-reference-2025-10',
      phase: 'Blocked',
      blocked: true,
      reasons: [{ node: 'draft', reason: 'AwaitingClaim', message: 'waiting for a worker (agent://docs-writers) to claim and complete it; who may: svc:writer-claude, svc:writer-codex, email:editor@example.com', waitingFor: ['svc:writer-claude', 'svc:writer-codex', 'email:editor@example.com'] }],
    })
    expect(workItems(all, 'svc:writer-codex')).toEqual([expect.objectContaining({ execution: 'api-reference-2025-10', node: 'draft', eligible: true, inputs: { openapi: 'openapi/public-api.yaml', style_guide: 'docs/STYLE.md' }, since: '2025-10-01T00:00:00Z' })])
    expect(workItems(all, 'svc:someone-else')).toEqual([expect.objectContaining({ eligible: false })])
  })

  it('names the Gate a run waits on, its reviewers and what the Gate node observes; a Gate lists the runs waiting for a decision', () => {
    const all = views({
      'Execution/api-reference-2025-10': { phase: 'Blocked', nodeStatuses: { draft: { phase: 'Succeeded', outputs: { draft_path: 'docs/api.md', endpoints: 3 } }, 'editor-review': { phase: 'Blocked', reason: 'AwaitingApproval' } } },
      'Gate/api-reference-review': { phase: 'Waiting', executions: [{ name: 'api-reference-2025-10', namespace: 'default', uid: 'u1', digest: `sha256:${'a'.repeat(64)}`, phase: 'Waiting', changeAuthor: 'email:ann@example.com', message: '0 of 1 required approvals for generation 1' }] },
    })
    const run = { ...all.find((r) => r.kind === 'Execution')!, gateWaits: [{ node: 'editor-review', gate: 'default/api-reference-review', message: 'Waiting: 0 of 1 required approvals for generation 1' }] }
    expect(whyBlocked(run, all).reasons).toEqual([{ node: 'editor-review', reason: 'AwaitingApproval', message: 'gate default/api-reference-review needs 1 approval(s) from email:editor@example.com: Waiting: 0 of 1 required approvals for generation 1', waitingFor: ['email:editor@example.com'] }])
    const gate = all.find((r) => r.kind === 'Gate')!
    expect(whyBlocked(gate, all)).toMatchObject({ blocked: true, reasons: [{ reason: 'AwaitingApproval', message: 'api-reference-2025-10 waits for a decision from email:editor@example.com (not email:ann@example.com, who created it): 0 of 1 required approvals for generation 1' }] })
  })

  it('is not blocked once finished, and reports failing conditions', () => {
    const all = views({ 'Execution/api-reference-2025-10': { phase: 'Succeeded', nodeStatuses: {} }, 'Plan/api-reference-v1': { phase: 'Invalid', conditions: [{ type: 'Valid', status: 'False', reason: 'ValidationFailed', message: 'PS3003 at node x' }] } })
    expect(whyBlocked(all.find((r) => r.kind === 'Execution')!, all)).toMatchObject({ phase: 'Succeeded', blocked: false, reasons: [] })
    expect(whyBlocked(all.find((r) => r.kind === 'Plan')!, all)).toMatchObject({ phase: 'Invalid', reasons: [{ reason: 'ValidationFailed', message: 'Valid=False: PS3003 at node x' }] })
  })
})
