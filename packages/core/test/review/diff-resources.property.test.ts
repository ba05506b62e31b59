import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffResources } from '../../src/review/diff-resources.js'
import type { ReviewResourceLike } from '../../src/review/review-types.js'

const id = fc.constantFrom('a', 'b', 'c', 'd', 'e')
const node = fc.record({ id, kind: fc.constantFrom('Task', 'Gate', 'External'), description: fc.constantFrom('x', 'y'), dependsOn: fc.uniqueArray(id, { maxLength: 2 }) })
const edge = fc.record({ from: id, to: id, type: fc.constantFrom('hard', 'soft') })
const planResource = fc.record({ name: fc.constantFrom('p', 'q'), nodes: fc.array(node, { maxLength: 5 }), edges: fc.array(edge, { maxLength: 4 }) }).map(
  ({ name, nodes, edges }): ReviewResourceLike => ({ kind: 'Plan', name, namespace: 'default', value: { kind: 'Plan', metadata: { name }, spec: { graph: { nodes, edges } } } }),
)
const gateResource = fc.record({ name: fc.constantFrom('g', 'h'), reviewers: fc.uniqueArray(fc.constantFrom('user:a', 'user:b', 'team:x/y'), { maxLength: 3 }), required: fc.integer({ min: 1, max: 3 }) }).map(
  ({ name, reviewers, required }): ReviewResourceLike => ({ kind: 'Gate', name, namespace: 'default', value: { kind: 'Gate', metadata: { name }, spec: { reviewers, requiredApprovers: required } } }),
)
const side = fc.array(fc.oneof(planResource, gateResource), { maxLength: 4 })

describe('diffResources (properties)', () => {
  it('finds no change between a set and itself', () => {
    fc.assert(
      fc.property(side, (resources) => {
        expect(diffResources(resources, resources)).toEqual({ resources: [], counts: [], plans: [], bindings: [], gates: [], executions: [] })
      }),
      { seed: 20260101 },
    )
  })

  it('is symmetric: swapping base and head swaps added and removed, nodes and edges alike', () => {
    fc.assert(
      fc.property(side, side, (base, head) => {
        const forward = diffResources(base, head)
        const backward = diffResources(head, base)
        expect(backward.counts).toEqual(forward.counts.map((c) => ({ ...c, added: c.removed, removed: c.added })))
        for (const plan of forward.plans) {
          const other = backward.plans.find((p) => p.subject === plan.subject)
          expect(other?.counts).toEqual({ ...plan.counts, nodesAdded: plan.counts.nodesRemoved, nodesRemoved: plan.counts.nodesAdded, edgesAdded: plan.counts.edgesRemoved, edgesRemoved: plan.counts.edgesAdded, nodesRewired: other?.counts.nodesRewired })
        }
      }),
      { seed: 20260101 },
    )
  })
})
