import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { compactPlanNodes, compactResource, fastParse, type Resource } from '../src/index.js'

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

const resourceOf = (value: Record<string, unknown>, extra: Partial<Resource> = {}): Resource => ({
  file: 'plans/p.yaml',
  documentIndex: 0,
  pointer: '',
  apiVersion: String(value.apiVersion),
  kind: String(value.kind),
  name: String((value.metadata as Record<string, unknown>).name),
  namespace: 'default',
  value,
  schemaValid: true,
  ...extra,
})

describe('compactResource', () => {
  it('copies exactly what references read, sharing no object with the parse', () => {
    const value = {
      apiVersion: 'planspec.io/v1alpha1',
      kind: 'Plan',
      metadata: { name: 'release-train-with-a-long-name', namespace: 'default', labels: { 'planspec.io/team': 'platform-engineering' }, annotations: { dropped: 'yes' } },
      spec: {
        goalRef: { name: 'ship-the-release-candidate' },
        series: 'release',
        version: '2',
        graph: {
          nodes: [
            { id: 'build', kind: 'Task', capabilityRefs: [{ name: 'container-image-builder', namespace: 'shared' }], inputs: { dropped: true } },
            { id: 'approve', kind: 'Gate', gateRef: { name: 'release-approval' } },
            { id: 'upstream', kind: 'External', externalRef: { type: 'resource', resourceRef: { kind: 'Plan', name: 'upstream' } } },
          ],
          edges: [{ from: 'build', to: 'approve' }],
        },
      },
    }
    const compact = compactResource(resourceOf(value))
    const { graph, ...rest } = compact.value.spec as { graph: Record<string, unknown> }
    expect({ ...compact.value, spec: rest }).toEqual({
      apiVersion: 'planspec.io/v1alpha1',
      kind: 'Plan',
      metadata: { name: 'release-train-with-a-long-name', namespace: 'default', labels: { 'planspec.io/team': 'platform-engineering' } },
      spec: { goalRef: { name: 'ship-the-release-candidate' }, series: 'release', version: '2' },
    })
    // The nodes are kept as one JSON text, read back whole.
    expect(Object.values(graph).map((v) => typeof v)).toEqual(['string'])
    expect(compactPlanNodes(compact.value.spec)).toEqual([
      { id: 'build', kind: 'Task', capabilityRefs: [{ name: 'container-image-builder', namespace: 'shared' }] },
      { id: 'approve', kind: 'Gate', gateRef: { name: 'release-approval' } },
      { id: 'upstream', kind: 'External', externalRef: { type: 'resource', resourceRef: { kind: 'Plan', name: 'upstream' } } },
    ])
    expect(compactPlanNodes(value.spec)).toBe(value.spec.graph.nodes)
    expect((compact.value.spec as { goalRef: unknown }).goalRef).not.toBe(value.spec.goalRef)
    expect(compact.file).toBe('plans/p.yaml')
  })

  it('keeps the nodes of a plan that JSON cannot carry exactly as objects', () => {
    const plan = { apiVersion: 'planspec.io/v1alpha1', kind: 'Plan', metadata: { name: 'odd' }, spec: { graph: { nodes: [{ id: 'x', kind: 'External', externalRef: { type: 'uri', weight: Number.NaN } }, 'not a node'] } } }
    const nodes = compactPlanNodes(compactResource(resourceOf(plan, { schemaValid: false })).value.spec)!
    expect(nodes[1]).toBe('not a node')
    expect((nodes[0] as { externalRef: { weight: number } }).externalRef.weight).toBeNaN()
    expect(compactPlanNodes({ graph: {} })).toBeUndefined()
    expect(compactPlanNodes(undefined)).toBeUndefined()
  })

  it('keeps values JSON cannot carry exactly, and a key named __proto__ as a key', () => {
    const binding = JSON.parse('{"apiVersion":"planspec.io/v1alpha1","kind":"Binding","metadata":{"name":"b"},"spec":{"rules":[{"__proto__":{"polluted":true},"weight":1}]}}') as Record<string, unknown>
    const rules = (binding.spec as { rules: Record<string, unknown>[] }).rules
    rules[0]!.weight = -0
    rules[0]!.ratio = Number.NaN
    rules[0]!.unset = undefined
    const compact = compactResource(resourceOf(binding))
    const rule = (compact.value.spec as { rules: Record<string, unknown>[] }).rules[0]!
    expect(Object.is(rule.weight, -0)).toBe(true)
    expect(rule.ratio).toBeNaN()
    expect(Object.keys(rule)).toEqual(['__proto__', 'weight', 'ratio', 'unset'])
    expect(Object.getPrototypeOf(rule)).toBe(Object.prototype)
    expect((rule as { polluted?: boolean }).polluted).toBeUndefined()
    expect(Object.getOwnPropertyDescriptor(rule, '__proto__')?.value).toEqual({ polluted: true })
  })

  it('keeps none of the file text alive once the parse is dropped', () => {
    // Long names make the fast parser's strings views into the file's text; each file here is ~1 MiB.
    const padding = `# ${'x'.repeat(1000)}\n`.repeat(1024)
    const kept: Resource[] = []
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 40; i++) {
      const text = `${padding}apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: a-goal-with-a-long-enough-name-${i}\n  labels:\n    planspec.io/team: a-team-with-a-long-enough-name\nspec:\n  title: t\n`
      const value = fastParse(text)![0] as Record<string, unknown>
      kept.push(compactResource(resourceOf(value)))
    }
    collectGarbage()
    const grown = process.memoryUsage().heapUsed - before
    // 40 texts of 1 MiB were read; what is kept is a few hundred bytes per resource.
    expect(grown).toBeLessThan(8 * 1024 * 1024)
    expect(kept.map((r) => r.name)).toContain('a-goal-with-a-long-enough-name-39')
    expect(kept[39]!.value.metadata).toEqual({ name: 'a-goal-with-a-long-enough-name-39', labels: { 'planspec.io/team': 'a-team-with-a-long-enough-name' } })
  })
})
