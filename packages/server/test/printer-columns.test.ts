// The printer columns `kubectl get` shows for each kind (a meta.k8s.io Table), computed from objects.
import { describe, expect, it } from 'vitest'
import { shortAge, toTable } from '../src/server/kube/table.js'

const now = new Date('2026-01-02T00:00:00Z')
const meta = (name: string, generation = 1) => ({ name, namespace: 'team', generation, creationTimestamp: '2026-01-01T23:59:15Z' })
const cells = (kind: string, object: object, wide = false) => {
  const table = toTable(kind, [object as never], { includeObject: 'None', version: 'v1', now }) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] }
  return Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, c.priority === 0 || wide ? table.rows[0]!.cells[i] : undefined]).filter(([, v]) => v !== undefined))
}

describe('printer columns', () => {
  it('shows a Gate\'s phase, the approvals that counted for its current generation over those required, and its target', () => {
    const gate = {
      apiVersion: 'planspec.io/v1alpha1',
      kind: 'Gate',
      metadata: meta('review', 2),
      spec: { gateType: 'approval', requiredApprovers: 2, targetRef: { kind: 'Execution', name: 'run-1', nodeId: 'review' } },
      status: {
        phase: 'Waiting',
        reviewHistory: [
          { reviewer: 'user:alice', action: 'approve', timestamp: 't', targetGeneration: 2 },
          { reviewer: 'user:alice', action: 'approve', timestamp: 't', targetGeneration: 2 },
          { reviewer: 'user:bob', action: 'approve', timestamp: 't', targetGeneration: 1 },
          { reviewer: 'user:carol', action: 'approve', timestamp: 't', targetGeneration: 2, counted: false, reason: 'SelfApproval' },
          { reviewer: 'user:dave', action: 'comment', timestamp: 't', targetGeneration: 2 },
        ],
      },
    }
    expect(cells('Gate', gate)).toEqual({ Name: 'review', Phase: 'Waiting', Approvals: '1/2', Target: 'execution/run-1#review', Age: '45s' })
    expect(cells('Gate', gate, true)).toMatchObject({ Type: 'approval' })
  })

  it('shows an Execution\'s phase, plan and finished nodes over tracked nodes; wide adds goal, start and message', () => {
    const execution = {
      apiVersion: 'planspec.io/v1alpha1',
      kind: 'Execution',
      metadata: meta('run-1'),
      spec: { planRef: { name: 'release' }, goalRef: { name: 'ship' } },
      status: { phase: 'Running', startTime: '2026-01-01T23:59:20Z', message: 'running build', nodeStatuses: { a: { phase: 'Succeeded' }, b: { phase: 'Skipped' }, c: { phase: 'Running' } } },
    }
    expect(cells('Execution', execution)).toEqual({ Name: 'run-1', Phase: 'Running', Plan: 'release', Progress: '2/3', Age: '45s' })
    expect(cells('Execution', execution, true)).toMatchObject({ Goal: 'ship', Started: '2026-01-01T23:59:20Z', Message: 'running build' })
    expect(cells('Execution', { ...execution, status: undefined })).toEqual({ Name: 'run-1', Phase: '', Plan: 'release', Progress: '', Age: '45s' })
  })

  it('shows a Goal\'s phase and selected plan, and other kinds by name and age only', () => {
    expect(cells('Goal', { kind: 'Goal', metadata: meta('ship'), spec: { description: 'd' }, status: { phase: 'Ready', activePlanRef: { name: 'release' } } })).toEqual({ Name: 'ship', Phase: 'Ready', Plan: 'release', Age: '45s' })
    expect(cells('Capability', { kind: 'Capability', metadata: meta('work'), spec: {} })).toEqual({ Name: 'work', Age: '45s' })
  })

  it('prints ages as kubectl does', () => {
    expect(['2026-01-01T23:59:59Z', '2026-01-01T23:55:00Z', '2026-01-01T22:00:00Z', '2025-12-25T00:00:00Z', undefined].map((t) => shortAge(t, now))).toEqual(['1s', '5m', '120m', '8d', '<unknown>'])
  })
})
