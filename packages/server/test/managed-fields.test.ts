// Server-side apply's field ownership (pure): what each manager owns after applies and updates,
// conflicts as Kubernetes reports them, force, removal of fields a manager stops applying.
import { describe, expect, it } from 'vitest'
import { fromFieldsV1, toFieldsV1 } from '../src/server/ssa/field-set.js'
import { applyConfiguration, trackUpdate, type ManagedFieldsEntry } from '../src/server/ssa/managed-fields.js'

const write = (manager: string, now = '2026-01-01T00:00:00Z') => ({ manager, now, apiVersion: 'planspec.io/v1alpha1' })
const owned = (entries: readonly ManagedFieldsEntry[]) => Object.fromEntries(entries.map((e) => [`${e.manager}/${e.operation}`, fromFieldsV1(e.fieldsV1).map((p) => p.join('.')).sort()]))
function applied(outcome: ReturnType<typeof applyConfiguration>) {
  if ('conflicts' in outcome) throw new Error(`unexpected conflicts: ${JSON.stringify(outcome.conflicts)}`)
  return outcome
}

describe('server-side apply field ownership', () => {
  it('creates with the applier owning exactly the applied fields, and re-applying changes nothing (idempotent)', () => {
    const first = applied(applyConfiguration(undefined, { spec: { description: 'd', context: [{ a: 1 }] }, metadata: { labels: { team: 'a' } } }, [], write('kubectl'), false))
    expect(owned(first.managedFields)).toEqual({ 'kubectl/Apply': ['metadata.labels.team', 'spec.context', 'spec.description'] })
    const again = applied(applyConfiguration(first.view, { spec: { description: 'd', context: [{ a: 1 }] }, metadata: { labels: { team: 'a' } } }, first.managedFields, write('kubectl', '2026-02-02T00:00:00Z'), false))
    expect(again.view).toEqual(first.view)
    expect(again.managedFields).toEqual(first.managedFields)
  })

  it('reports a field another manager set to a different value as a conflict; force moves it; an equal value is shared', () => {
    const live = { spec: { description: 'by hand', priority: 3 } }
    const entries = trackUpdate(undefined, live, [], write('kubectl-edit'))
    const outcome = applyConfiguration(live, { spec: { description: 'from git', priority: 3 } }, entries, write('planspec'), false)
    expect(outcome).toEqual({ conflicts: [{ manager: 'kubectl-edit', path: ['spec', 'description'] }] })
    const forced = applied(applyConfiguration(live, { spec: { description: 'from git', priority: 3 } }, entries, write('planspec'), true))
    expect(forced.view).toEqual({ spec: { description: 'from git', priority: 3 } })
    expect(owned(forced.managedFields)).toEqual({ 'kubectl-edit/Update': ['spec.priority'], 'planspec/Apply': ['spec.description', 'spec.priority'] })
  })

  it('removes a field the applier stops applying unless another manager owns it too', () => {
    const first = applied(applyConfiguration(undefined, { spec: { description: 'd', priority: 1, tags: ['x'] } }, [], write('planspec'), false))
    const shared = trackUpdate(first.view, { spec: { description: 'd', priority: 1, tags: ['y'] } }, first.managedFields, write('kubectl-patch'))
    const second = applied(applyConfiguration({ spec: { description: 'd', priority: 1, tags: ['y'] } }, { spec: { description: 'd' } }, shared, write('planspec'), false))
    // priority was only planspec's: it goes; tags moved to kubectl-patch with its change: it stays.
    expect(second.view).toEqual({ spec: { description: 'd', tags: ['y'] } })
    expect(owned(second.managedFields)).toEqual({ 'kubectl-patch/Update': ['spec.tags'], 'planspec/Apply': ['spec.description'] })
  })

  it('moves changed fields to the updater and drops removed ones from every manager', () => {
    const entries = trackUpdate(undefined, { spec: { a: 1, b: 2 }, metadata: { labels: { x: '1' } } }, [], write('creator'))
    const next = trackUpdate({ spec: { a: 1, b: 2 }, metadata: { labels: { x: '1' } } }, { spec: { a: 5 }, metadata: { labels: { x: '1', y: '2' } } }, entries, write('editor'))
    expect(owned(next)).toEqual({ 'creator/Update': ['metadata.labels.x'], 'editor/Update': ['metadata.labels.y', 'spec.a'] })
  })

  it('encodes field sets as Kubernetes FieldsV1 and reads them back', () => {
    const paths = [['spec', 'description'], ['metadata', 'labels', 'app.kubernetes.io/name']]
    expect(toFieldsV1(paths)).toEqual({ 'f:spec': { 'f:description': {} }, 'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/name': {} } } })
    expect(fromFieldsV1(toFieldsV1(paths))).toEqual(paths)
    // Entries Kubernetes writes for list items (k:, v:) and "." are not fields here (lists are atomic).
    expect(fromFieldsV1({ 'f:spec': { '.': {}, 'f:items': { 'k:{"id":"a"}': {} } } })).toEqual([['spec', 'items']])
  })

  it('never lets a __proto__ key reach a prototype', () => {
    const payload = JSON.parse('{"spec":{"__proto__":{"polluted":true},"description":"d"}}') as Record<string, unknown>
    const outcome = applied(applyConfiguration({ spec: { description: 'x' } }, payload, [], write('planspec'), true))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.hasOwn(outcome.view.spec as object, '__proto__')).toBe(true)
  })
})
