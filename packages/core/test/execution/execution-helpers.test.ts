import { describe, expect, it } from 'vitest'
import { executionOrder } from '../../src/execution/execution-order.js'
import { dispatchIntentOf, numberExtension, patchNode } from '../../src/execution/execution-extensions.js'
import { containsTemplate, resolveInputs, resolveTemplate } from '../../src/execution/resolve-template.js'
import { deriveGroupStatuses } from '../../src/execution/derive-group-statuses.js'
import { retryDelay } from '../../src/execution/retry-delay.js'
import { normalizeGraph } from '../../src/graph.js'
import { fakeCel } from './fake-cel.js'

const vars = { params: { n: 3, s: 'x', o: { k: 1 } } }

describe('resolveTemplate', () => {
  const cases: { name: string; text: string; expected: unknown }[] = [
    { name: 'keeps a string without templates', text: 'plain', expected: 'plain' },
    { name: 'keeps the type of a whole-string template', text: '${{ params.n }}', expected: 3 },
    { name: 'keeps an object from a whole-string template', text: '${{params.o}}', expected: { k: 1 } },
    { name: 'interpolates strings and JSON of other values', text: 'n=${{ params.n }} s=${{ params.s }} o=${{ params.o }}!', expected: 'n=3 s=x o={"k":1}!' },
    { name: 'interpolates two adjacent templates', text: '${{ params.s }}${{ params.s }}', expected: 'xx' },
    { name: 'writes null for an undefined value', text: 'v=${{ params.u }}', expected: 'v=null' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const evaluate = c.text.includes('params.u') ? () => ({ ok: true as const, value: undefined }) : fakeCel
      expect(resolveTemplate(c.text, evaluate, vars)).toEqual({ ok: true, value: c.expected })
    })
  }

  const errors: { name: string; text: string; message: string }[] = [
    { name: 'rejects an unterminated template', text: 'a ${{ params.n', message: 'unterminated template at offset 2' },
    { name: 'rejects an empty template', text: '${{  }}', message: 'empty template at offset 0' },
    { name: 'reports an evaluation error with its expression', text: 'x ${{ params.zz }}', message: 'params.zz: no such key: zz' },
  ]
  for (const c of errors) {
    it(c.name, () => {
      expect(resolveTemplate(c.text, fakeCel, vars)).toEqual({ ok: false, message: c.message })
    })
  }
})

describe('resolveInputs', () => {
  it('resolves strings inside arrays and objects and keeps other values', () => {
    expect(resolveInputs({ a: ['${{ params.n }}', true, null], b: { c: 'v${{ params.n }}' }, d: 1 }, fakeCel, vars)).toEqual({
      ok: true,
      value: { a: [3, true, null], b: { c: 'v3' }, d: 1 },
    })
  })

  it('names the input path of the first error', () => {
    expect(resolveInputs({ a: ['ok', '${{ nope }}'] }, fakeCel, vars)).toEqual({ ok: false, message: 'inputs.a.1: nope: no such key: nope' })
    expect(resolveInputs({ b: { c: '${{ nope }}' } }, fakeCel, vars)).toEqual({ ok: false, message: 'inputs.b.c: nope: no such key: nope' })
  })
})

describe('containsTemplate', () => {
  it('finds a template in strings, arrays and nested objects, and nowhere else', () => {
    expect(containsTemplate('${{ params.n }}')).toBe(true)
    expect(containsTemplate({ a: [1, { b: 'x ${{ nodes.a.outputs.v }}' }] })).toBe(true)
    expect(containsTemplate({ a: [1, null, true, { b: 'plain $ {{ text' }] })).toBe(false)
    expect(containsTemplate(42)).toBe(false)
    expect(containsTemplate(null)).toBe(false)
  })
})

describe('deriveGroupStatuses without groups', () => {
  it('returns the node map itself: nothing to derive, nothing copied', () => {
    const graph = normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }] })
    const nodes = { a: { phase: 'Running' as const } }
    expect(deriveGroupStatuses(graph, nodes)).toBe(nodes)
  })
})

describe('retryDelay', () => {
  const policy = { baseMs: 10_000, factor: 2, capMs: 600_000 }
  const cases: [attempt: number, jitter: number, expected: number][] = [
    [1, 0.999, 9_990],
    [3, 0.5, 20_000],
    [20, 0.5, 300_000],
    [0, 1, 10_000],
    [2, -1, 0],
    [2, 7, 20_000],
  ]
  for (const [attempt, jitter, expected] of cases) {
    it(`waits ${expected} ms after attempt ${attempt} with jitter ${jitter}`, () => {
      expect(retryDelay(policy, attempt, jitter)).toBe(expected)
    })
  }
})

describe('executionOrder', () => {
  it('orders by all edges, earliest file position first, leaving groups out and reporting cycles', () => {
    const graph = normalizeGraph({
      nodes: [
        { id: 'c', kind: 'Task' },
        { id: 'b', kind: 'Task', dependsOn: ['a'] },
        { id: 'a', kind: 'Task' },
        { id: 'g', kind: 'Group', children: ['a'] },
        { id: 'x', kind: 'Task', dependsOn: ['y'] },
        { id: 'y', kind: 'Task', dependsOn: ['x'] },
      ],
      edges: [{ from: 'c', to: 'ghost' }, { from: 'ghost', to: 'c' }],
    })
    expect(executionOrder(graph)).toEqual({ order: ['c', 'a', 'b'], cycle: ['x', 'y'] })
  })

  it('computes the order once per graph and hands out a frozen result', () => {
    const graph = normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Task', dependsOn: ['a'] }] })
    const first = executionOrder(graph)
    expect(executionOrder(graph)).toBe(first)
    expect(Object.isFrozen(first.order)).toBe(true)
    expect(executionOrder(normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }] }))).not.toBe(first)
  })
})

describe('execution extensions', () => {
  it('reads intents and numbers defensively and patches extensions immutably', () => {
    expect(dispatchIntentOf({ extensions: { 'io.planspec.dispatch': 'bad' } })).toBeUndefined()
    expect(dispatchIntentOf({})).toBeUndefined()
    expect(numberExtension({ extensions: { k: 'x' } }, 'k')).toBeUndefined()
    expect(patchNode({ phase: 'Failed', reason: 'X', extensions: { a: 1 } }, { phase: 'Pending' }, { a: undefined, b: 2 }, ['reason'])).toEqual({
      phase: 'Pending',
      extensions: { b: 2 },
    })
    expect(patchNode({ extensions: { a: 1 } }, {}, { a: undefined })).toEqual({})
  })
})
