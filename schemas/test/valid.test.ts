import { describe, expect, it } from 'vitest'
import { errorsOf, fixture, summarize, type Doc } from './support.js'
import type { SchemaKind } from '../index.js'

const fixtures: [string, SchemaKind | 'RepositoryConfig'][] = [
  ['goal', 'Goal'],
  ['plan', 'Plan'],
  ['capability', 'Capability'],
  ['binding', 'Binding'],
  ['execution', 'Execution'],
  ['gate', 'Gate'],
  ['role', 'Role'],
  ['cluster-role', 'ClusterRole'],
  ['role-binding', 'RoleBinding'],
  ['cluster-role-binding', 'ClusterRoleBinding'],
  ['repository-config', 'RepositoryConfig'],
]

const expectValid = (doc: Doc, as?: SchemaKind | 'RepositoryConfig'): void => {
  const errors = errorsOf(doc, as)
  expect(errors, summarize(errors)).toEqual([])
}

describe('valid documents', () => {
  it.each(fixtures)('fixture %s.json is a valid %s', (name, kind) => expectValid(fixture(name), kind))

  it('accepts a List of the six core kinds', () => {
    expectValid({
      apiVersion: 'planspec.io/v1alpha1',
      kind: 'List',
      metadata: { resourceVersion: '1287' },
      items: ['goal', 'plan', 'capability', 'binding', 'execution', 'gate'].map(fixture),
    })
    expectValid({ apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: [] })
  })

  it('accepts minimal documents: no namespace, no status, only required fields', () => {
    const meta = { name: 'm' }
    const v = 'planspec.io/v1alpha1'
    expectValid({ apiVersion: v, kind: 'Goal', metadata: meta, spec: { description: 'x' } })
    expectValid({ apiVersion: v, kind: 'Plan', metadata: meta, spec: { description: 'x', graph: { nodes: [{ id: 'a', kind: 'Task' }] } } })
    expectValid({ apiVersion: v, kind: 'Capability', metadata: meta, spec: { description: 'x' } })
    expectValid({
      apiVersion: v,
      kind: 'Binding',
      metadata: meta,
      spec: { rules: [{ selector: { capabilityRef: { name: 'c' } }, target: { provider: 'p' } }] },
    })
    expectValid({ apiVersion: v, kind: 'Execution', metadata: meta, spec: { planRef: { name: 'p' } } })
    expectValid({ apiVersion: v, kind: 'Gate', metadata: meta, spec: { gateType: 'approval', targetRef: { kind: 'Execution', name: 'e' } } })
    expectValid({ apiVersion: v, kind: 'Role', metadata: meta, rules: [] })
    expectValid({ apiVersion: v, kind: 'ClusterRole', metadata: meta })
    expectValid({}, 'RepositoryConfig')
  })

  it('accepts every Gate phase with a consistent status', () => {
    const gate = fixture('gate')
    const resolution = { outcome: 'rejected', timestamp: '2025-03-02T10:00:00Z', actors: ['user:carol'] }
    for (const status of [
      {},
      { phase: 'Pending' },
      { phase: 'Waiting', reviewHistory: [{ reviewer: 'user:bob', action: 'comment', timestamp: '2025-03-02T09:00:00Z' }] },
      { phase: 'Rejected', resolution, decidedGeneration: 2 },
    ]) {
      gate.status = status
      expectValid(gate)
    }
  })

  it('accepts durations with decimals and several components, and labels with empty values', () => {
    const goal = fixture('goal')
    for (const timeout of ['500ms', '30s', '5m', '1h30m', '1.5h', '168h', '0s', '10us', '10µs', '1h0m0.5s']) {
      goal.spec.timeout = timeout
      expectValid(goal)
    }
  })

  it('accepts node ids and names with a leading digit, as the DNS-label regex does', () => {
    const plan = fixture('plan')
    plan.metadata.name = '2024-q3-export'
    plan.spec.graph.nodes[1].id = '1st-writer'
    expectValid(plan)
  })
})
