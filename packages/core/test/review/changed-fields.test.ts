import { describe, expect, it } from 'vitest'
import { changedFields, deepEqual } from '../../src/review/internal/changed-fields.js'

describe('deepEqual', () => {
  it.each<[unknown, unknown, boolean]>([
    [1, 1, true],
    [Number.NaN, Number.NaN, true],
    ['a', 'b', false],
    [[1, { a: 2 }], [1, { a: 2 }], true],
    [[1], [1, 2], false],
    [[1], { 0: 1 }, false],
    [{ 0: 1 }, [1], false],
    [{ a: 1, b: [2] }, { b: [2], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: undefined }, { a: 1, c: undefined }, false],
    [{ a: 1 }, null, false],
    [null, { a: 1 }, false],
    ['x', { a: 1 }, false],
  ])('compares %j and %j as %s', (a, b, equal) => {
    expect(deepEqual(a, b)).toBe(equal)
  })
})

describe('changedFields', () => {
  it('descends into objects up to the depth, never into arrays, and sorts the paths', () => {
    const a = { spec: { b: { c: 2 }, list: [1], same: 1, gone: true }, kind: 'X' }
    const b = { spec: { b: { c: 3 }, list: [2], same: 1, new: true }, kind: 'Y' }
    expect(changedFields(a, b, 2)).toEqual(['kind', 'spec.b', 'spec.gone', 'spec.list', 'spec.new'])
    expect(changedFields(a, b, 3)).toEqual(['kind', 'spec.b.c', 'spec.gone', 'spec.list', 'spec.new'])
    expect(changedFields(a, b, 1)).toEqual(['kind', 'spec'])
  })

  it('reports a field whose shape changed between an object and something else at its own path', () => {
    expect(changedFields({ spec: { a: 1 } }, { spec: 'text' }, 2)).toEqual(['spec'])
    expect(changedFields({ spec: [1] }, { spec: { a: 1 } }, 2)).toEqual(['spec'])
  })

  it('skips ignored paths at any level', () => {
    const a = { status: { phase: 'A' }, metadata: { uid: '1', labels: { x: 'a' } } }
    const b = { status: { phase: 'B' }, metadata: { uid: '2', labels: { x: 'b' } } }
    expect(changedFields(a, b, 2, new Set(['status', 'metadata.uid']))).toEqual(['metadata.labels'])
    expect(changedFields({ metadata: { uid: '1' } }, { metadata: { uid: '2' } }, 2, new Set(['metadata.uid']))).toEqual([])
  })
})
