import { describe, expect, it } from 'vitest'
import { compareResources, hasLabels, indexResources, referencedBy, type IndexedResource } from '../../src/controllers/resource-index.js'

const r = (kind: string, namespace: string, name: string, spec?: unknown, labels?: Record<string, string>): IndexedResource => ({
  kind,
  namespace,
  name,
  object: { kind, metadata: { name, namespace, ...(labels ? { labels } : {}) }, ...(spec === undefined ? {} : { spec }) },
  generation: 1,
})

describe('indexResources', () => {
  const resources = [
    r('Plan', 'b', 'z', {}, { team: 'x' }),
    r('Plan', 'a', 'y', {}, { team: 'x' }),
    r('Plan', 'b', 'a'),
    r('Execution', 'b', 'e1', { planRef: { name: 'z' }, nodeBindings: { name: { name: 'bind', namespace: 'c' }, other: { name: 'bind2' }, bad: 'x' } }),
    r('Execution', 'c', 'e2', { planRef: { name: 'z', namespace: 'b' }, goalRef: { name: '' , namespace: ''} }),
    r('Execution', 'c', 'e3', null),
  ]
  const index = indexResources(resources)

  it('lists a kind in namespace/name order, in one namespace or all', () => {
    expect(index.list('Plan').map((p) => `${p.namespace}/${p.name}`)).toEqual(['a/y', 'b/a', 'b/z'])
    expect(index.list('Plan', 'b').map((p) => p.name)).toEqual(['a', 'z'])
    expect(index.list('Gate')).toEqual([])
  })

  it('gets one resource, the later of two with one key', () => {
    const twice = indexResources([r('Plan', 'a', 'p', { v: 1 }), r('Plan', 'a', 'p', { v: 2 })])
    expect(twice.get('Plan', 'a', 'p')?.object.spec).toEqual({ v: 2 })
    expect(twice.list('Plan')).toHaveLength(1)
    expect(index.get('Plan', 'a', 'nope')).toBeUndefined()
  })

  it('finds resources by labels within a namespace', () => {
    expect(index.labelled('Plan', 'b', { team: 'x' }).map((p) => p.name)).toEqual(['z'])
    expect(index.labelled('Plan', 'b', { team: 'y' })).toEqual([])
    expect(index.labelled('Gate', 'b', {})).toEqual([])
  })

  it('finds the resources that reference a target through a reference or a map of them', () => {
    expect(index.referrers('Execution', 'planRef', { namespace: 'b', name: 'z' }).map((e) => e.name)).toEqual(['e1', 'e2'])
    expect(index.referrers('Execution', 'nodeBindings', { namespace: 'c', name: 'bind' }).map((e) => e.name)).toEqual(['e1'])
    expect(index.referrers('Execution', 'nodeBindings', { namespace: 'b', name: 'bind2' }).map((e) => e.name)).toEqual(['e1'])
    expect(index.referrers('Execution', 'goalRef', { namespace: 'c', name: '' }).map((e) => e.name)).toEqual(['e2'])
    expect(index.referrers('Gate', 'targetRef', { namespace: 'c', name: 'x' })).toEqual([])
  })
})

describe('resource helpers', () => {
  it('orders by namespace, then name', () => {
    const sorted = [r('K', 'b', 'a'), r('K', 'a', 'b'), r('K', 'a', 'a'), r('K', 'a', 'a')].sort(compareResources)
    expect(sorted.map((x) => `${x.namespace}/${x.name}`)).toEqual(['a/a', 'a/a', 'a/b', 'b/a'])
  })

  it('reads references and labels defensively', () => {
    expect(referencedBy(r('Execution', 'a', 'e', { planRef: { name: 5 } }), 'planRef')).toEqual([])
    expect(referencedBy(r('Execution', 'a', 'e', { planRef: [{ name: 'x' }] }), 'planRef')).toEqual([])
    expect(hasLabels(r('Plan', 'a', 'p'), { team: 'x' })).toBe(false)
    expect(hasLabels(r('Plan', 'a', 'p', {}, { team: 'x' }), {})).toBe(true)
  })
})
