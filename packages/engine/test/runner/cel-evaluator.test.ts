import { describe, expect, it } from 'vitest'
import { createCelEvaluator } from '../../src/index.js'

const evaluate = createCelEvaluator()

describe('createCelEvaluator: bounded evaluation', () => {
  it('runs matches() on a linear-time RE2 engine: catastrophic patterns answer at once', () => {
    // On a backtracking engine this input takes 2^40 steps; on RE2 it is one linear pass.
    expect(evaluate('nodes.a.outputs.log.matches("^(a+)+$")', { nodes: { a: { outputs: { log: `${'a'.repeat(40)}!` } } } })).toEqual({ ok: true, value: false })
    expect(evaluate('s.matches("(a|aa)+b") && s.matches("^a")', { s: `${'a'.repeat(5000)}b` })).toEqual({ ok: true, value: true })
    expect(evaluate('"abc".matches("(?=a)")', {})).toMatchObject({ ok: false, message: expect.stringContaining('invalid RE2 regular expression') })
  })

  it('refuses, before running it, an expression whose cost over the actual variables is over the limit', () => {
    const expression = 'l.map(x, l.map(y, l.filter(z, x + y == z))).size() > 0'
    expect(evaluate(expression, { l: Array.from({ length: 10 }, (_, i) => i) })).toEqual({ ok: true, value: true })
    const costly = evaluate(expression, { l: Array.from({ length: 1000 }, (_, i) => i) })
    expect(costly).toMatchObject({ ok: false, message: expect.stringMatching(/too costly to evaluate: its estimated cost \d+ is over the limit 1000000/) })
  })

  it('refuses an expression that would build a huge value (string doubling through cel.bind)', () => {
    const doubling = Array.from({ length: 30 }, (_, i) => `cel.bind(s${i + 1}, s${i} + s${i},`).join(' ') + ' s30.size() > 0' + ')'.repeat(30)
    expect(evaluate(doubling, { s0: 'x'.repeat(64) })).toMatchObject({ ok: false, message: expect.stringContaining('too costly') })
    expect(evaluate('cel.bind(t, s + s, t.size())', { s: 'abc' })).toEqual({ ok: true, value: 6 })
  })

  it('still evaluates ordinary expressions and macros', () => {
    expect(evaluate('params.env == "prod" && nodes["build-web"].outputs.tag.startsWith("v")', { params: { env: 'prod' }, nodes: { 'build-web': { outputs: { tag: 'v1.2' } } } })).toEqual({ ok: true, value: true })
    expect(evaluate('{"a": 1, "b": 2}.all(k, k != "c") && [3, 4].exists(v, v == 4) && [1, 2].exists_one(v, v > 1)', {})).toEqual({ ok: true, value: true })
    expect(evaluate('m.map(k, m[k] > 1, k)', { m: { a: 1, b: 2 } })).toEqual({ ok: true, value: ['b'] })
    expect(evaluate('size(inputs.list) == 2 && inputs.list[0] > 4.0', { inputs: { list: [5, 6] } })).toEqual({ ok: true, value: true })
  })
})
