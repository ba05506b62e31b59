import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CODES, DEFAULT_LIMITS } from '../src/index.js'
import { PLAN, validateSources, validateTexts } from './helpers.js'

const KNOWN_CODES = new Set(Object.keys(CODES))

describe('THREATS T6: alias bombs', () => {
  it('rejects every bomb of the corpus with a classified issue, quickly, before any schema check', () => {
    const bombs: string[] = []
    for (let depth = 5; depth <= 12; depth++) {
      for (const width of [2, 9, 20]) {
        const seq = [`a0: &a0 [${Array(width).fill('"lol"').join(',')}]`]
        const map = [`a0: &a0 {${Array.from({ length: width }, (_, i) => `k${i}: lol`).join(', ')}}`]
        const merge = ['a0: &a0 {x: 1}']
        for (let d = 1; d < depth; d++) {
          seq.push(`a${d}: &a${d} [${Array(width).fill(`*a${d - 1}`).join(',')}]`)
          map.push(`a${d}: &a${d} {${Array.from({ length: width }, (_, i) => `k${i}: *a${d - 1}`).join(', ')}}`)
          merge.push(`a${d}: &a${d} {<<: *a${d - 1}, y${d}: ${d}}`)
        }
        bombs.push(seq.join('\n'), map.join('\n'), merge.join('\n'))
      }
    }
    for (const bomb of bombs) {
      const started = performance.now()
      const result = validateTexts({ 'bomb.yaml': bomb })
      const elapsed = performance.now() - started
      expect(result.diagnostics.length).toBeGreaterThan(0)
      expect(result.diagnostics.every((d) => d.code === 'PS1004' || d.code === 'PS1099')).toBe(true) // PS1099: the per-file cap
      expect(result.resources).toEqual([])
      expect(elapsed).toBeLessThan(500) // generous for a loaded CI machine; typically a few ms
    }
  })
})

describe('THREATS T7: size and depth caps are checked before parsing', () => {
  it.each([1, 2, 10])('reports a file %i× the size cap without parsing it', (times) => {
    const size = DEFAULT_LIMITS.maxFileBytes * times + 1
    const result = validateSources([{ file: 'big.yaml', size }, { file: 'plan.yaml', text: PLAN }])
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['PS1006'])
    expect(result.resources.map((r) => r.name)).toEqual(['release'])
  })

  it.each([1, 2, 10])('rejects flow and block nesting %i× the depth cap, each parsed twice', (times) => {
    const depth = DEFAULT_LIMITS.maxDepth * times + 1
    const flow = 'a: ' + '['.repeat(depth) + ']'.repeat(depth) + '\n'
    const block = Array.from({ length: depth }, (_, i) => '  '.repeat(i) + `k${i}:`).join('\n') + ' 1\n'
    for (let round = 0; round < 2; round++) {
      for (const text of [flow, block]) {
        const result = validateTexts({ 'deep.yaml': text, 'plan.yaml': PLAN })
        expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['PS1007'])
        expect(result.resources.map((r) => r.name)).toEqual(['release'])
      }
    }
  })

  it('reports a file with more documents than the cap and keeps the first ones', () => {
    const text = Array.from({ length: DEFAULT_LIMITS.maxDocumentsPerFile + 5 }, (_, i) => `---\napiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: {name: g${i}}\nspec: {description: d}`).join('\n')
    const result = validateTexts({ 'many.yaml': text })
    expect(result.diagnostics.map((d) => d.code)).toEqual(['PS1009'])
    expect(result.resources).toHaveLength(DEFAULT_LIMITS.maxDocumentsPerFile)
  })

  it('caps the findings of one file and still fails the run', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => `      - {id: n${i}, kind: Task, dependsOn: [ghost${i}]}`).join('\n')
    const text = PLAN.slice(0, PLAN.indexOf('    nodes:')) + '    nodes:\n' + nodes + '\n'
    const result = validateTexts({ 'p.yaml': text })
    expect(result.diagnostics.length).toBe(DEFAULT_LIMITS.maxDiagnosticsPerFile + 1)
    expect(result.diagnostics.at(-1)).toMatchObject({ code: 'PS1099', message: '100 more findings in this file are not shown' })
    expect(result.summary.errors).toBeGreaterThan(0)
  })
})

describe('THREATS T3 and T17: hostile input never crashes the validator', () => {
  it('classifies every finding for random bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const result = validateSources([{ file: 'f.yaml', bytes }])
        for (const d of result.diagnostics) expect(KNOWN_CODES.has(d.code)).toBe(true)
      }),
      { numRuns: 1500 },
    )
  })

  it('classifies every finding for random YAML-ish text (fuzz)', () => {
    const token = fc.constantFrom('apiVersion: planspec.io/v1alpha1', 'kind: Plan', 'kind: Goal', 'metadata:', '  name: x', 'spec:', '  graph:', '    nodes:', '      - id: a', '        kind: Task', '        dependsOn: [a, b]', '        when: "nodes.a.phase == 1"', '---', '[', ']', '{', '}', '&a', '*a', '!!binary', '<<: *a', '\t', '"', "'", ': ', '- ', '#', '%YAML 1.1', '\u0000', '\ufeff', '${{', '}}')
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), fc.array(fc.constantFrom('\n', ' ', '  ', ''), { maxLength: 60 }), (tokens, glue) => {
        const text = tokens.map((t, i) => t + (glue[i] ?? '\n')).join('')
        const result = validateTexts({ 'f.yaml': text })
        for (const d of result.diagnostics) {
          expect(KNOWN_CODES.has(d.code)).toBe(true)
          expect(d.line).toBeGreaterThanOrEqual(1)
        }
      }),
      { numRuns: 1500 },
    )
  })

  it('survives the reference plan truncated at every byte offset', () => {
    for (let cut = 0; cut <= PLAN.length; cut++) {
      const result = validateTexts({ 'p.yaml': PLAN.slice(0, cut) })
      for (const d of result.diagnostics) expect(KNOWN_CODES.has(d.code)).toBe(true)
    }
  })

  it('keeps prototypes clean whatever keys a manifest holds (T9)', () => {
    fc.assert(
      fc.property(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.integer({ min: 0, max: 3 }), (key, depth) => {
        let value = `{${key}: {polluted: yes}}`
        for (let d = 0; d < depth; d++) value = `{${key}: ${value}}`
        validateTexts({ 'p.yaml': PLAN.replace('      - id: build\n        kind: Task\n', `      - id: build\n        kind: Task\n        inputs: ${value}\n`) })
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        expect(Object.keys(Object.prototype)).toEqual([])
      }),
      { numRuns: 60 },
    )
  })
})

describe('THREATS T8: YAML 1.1 typing never leaks in', () => {
  it.each([
    ['country: NO', { country: 'NO' }],
    ['answer: yes', { answer: 'yes' }],
    ['switch: off', { switch: 'off' }],
    ['mode: 0755', { mode: 755 }],
    ['clock: 12:30', { clock: '12:30' }],
    ['hex: 0x1F', { hex: 31 }],
    ['octal: 0o17', { octal: 15 }],
  ])('reads %s as YAML 1.2 core', (line, expected) => {
    const text = `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: {name: g}\nspec:\n  description: d\n  constraints:\n    ${line}\n`
    const result = validateTexts({ 'g.yaml': text })
    expect(result.diagnostics).toEqual([])
    expect((result.resources[0]!.value.spec as { constraints: unknown }).constraints).toEqual(expected)
  })
})
