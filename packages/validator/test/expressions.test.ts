import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBoundedMemo, parseTemplates } from '../src/expressions.js'
import { findTemplates, parseExpression } from '../src/index.js'

const refs = (source: string) => {
  const parsed = parseExpression(source)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.references.map((r) => (r.type === 'root' ? `root:${r.name}` : `node:${r.node}.${r.field ?? '-'}${r.output ? '.' + r.output : ''}@${r.start}`))
}

describe('CEL expressions', () => {
  it('lists node outputs and phases, with offsets into the source', () => {
    expect(refs('nodes.build.outputs.tag != "" && nodes["deploy-eu"].phase == "Succeeded"')).toEqual(['node:build.outputs.tag@0', 'node:deploy-eu.phase@33'])
  })

  it('lists root variables, and not the variables that macros bind', () => {
    expect(refs('params.items.all(i, i.size() > 0) && inputs.tier == goal.tier')).toEqual(['root:params', 'root:inputs', 'root:goal'])
    expect(refs('[1, 2].exists(n, n == 2) && env.CI')).toEqual(['root:env'])
  })

  it('reads variables used inside a dynamic index, and the nodes root itself', () => {
    expect(refs('nodes[params.target].phase == "Succeeded"')).toEqual(['root:nodes', 'root:params'])
  })

  it('reads node references passed to functions and methods', () => {
    expect(refs('size(nodes.a.outputs.list) > 0 && nodes.b.outputs.name.startsWith("x")')).toEqual(['node:a.outputs.list@5', 'node:b.outputs.name@34'])
  })

  it('reports a node read without outputs or phase as a node reference', () => {
    expect(refs('has(nodes.a.extra)')).toEqual(['node:a.-@4'])
  })

  it('reports a syntax error with the offset the library points at', () => {
    const parsed = parseExpression('params.x ==')
    expect(parsed).toMatchObject({ ok: false, offset: 11 })
    expect(parseExpression('')).toMatchObject({ ok: false })
  })
})

describe('${{ }} templates', () => {
  it('finds every template with offsets of the expression', () => {
    expect(findTemplates('a ${{ x }} b ${{y}}')).toEqual([
      { expression: ' x ', start: 5, end: 8, terminated: true },
      { expression: 'y', start: 16, end: 17, terminated: true },
    ])
  })

  it('flags an unterminated template and finds none in plain text', () => {
    expect(findTemplates('v=${{ x')).toEqual([{ expression: ' x', start: 5, end: 7, terminated: false }])
    expect(findTemplates('no templates, only $HOME and {{ mustache }}')).toEqual([])
  })
})

describe('remembered parses', () => {
  it('gives each template of a string with the parse of its expression, as findTemplates and parseExpression do (property)', () => {
    const piece = fc.constantFrom('${{', '}}', ' nodes.a.outputs.x ', 'params["p"]', ' && ', 'a ||', 'text ', '${{ nodes.b.phase }}', '')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('')), (text) => {
        const expected = findTemplates(text).map((t) => ({ start: t.start, end: t.end, terminated: t.terminated, ...(t.terminated ? { parsed: parseExpression(t.expression) } : {}) }))
        expect(parseTemplates(text)).toEqual(expected)
        // Remembered: the same frozen answer the second time.
        expect(parseTemplates(text)).toBe(parseTemplates(text))
        expect(Object.isFrozen(parseTemplates(text))).toBe(true)
      }),
    )
  })

  it('answers a remembered key with the remembered result, and never holds more than its limit', () => {
    let computed = 0
    const memo = createBoundedMemo(3, (key) => Object.freeze({ key, n: ++computed }))
    const first = memo.get('a')
    expect(memo.get('a')).toBe(first)
    expect(computed).toBe(1)
    for (const key of ['b', 'c', 'd', 'e', 'f', 'g']) {
      memo.get(key)
      expect(memo.size()).toBeLessThanOrEqual(3)
    }
    // Forgotten once full, computed again: an equal result.
    expect(memo.get('a')).toEqual({ key: 'a', n: computed })
    expect(memo.size()).toBeLessThanOrEqual(3)
  })

  it('answers the same after the memo of expressions forgot what it held (more distinct expressions than its limit)', () => {
    for (let i = 0; i < 5000; i++) expect(parseExpression(`nodes.n${i}.outputs.x == ""`).ok).toBe(true)
    expect(refsOf(parseExpression('nodes.n4999.outputs.x == ""'))).toEqual(['n4999'])
  })
})

function refsOf(parsed: ReturnType<typeof parseExpression>): string[] {
  return parsed.ok ? parsed.references.flatMap((r) => (r.type === 'node' ? [r.node] : [])) : []
}
