import { describe, expect, it } from 'vitest'
import { validateSources, validateTexts, findings, codes } from './helpers.js'

const GOAL = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ok\nspec:\n  description: A fine goal\n'

describe('bad input: each a coded diagnostic at the right position, never a throw', () => {
  it('reports an empty file as PS1008 and checks the other files', () => {
    const result = validateTexts({ 'empty.yaml': '', 'goal.yaml': GOAL })
    expect(result.diagnostics.map((d) => [d.file, d.code, d.severity])).toEqual([['empty.yaml', 'PS1008', 'warning']])
    expect(result.resources.map((r) => r.name)).toEqual(['ok'])
  })

  it('reports binary garbage as PS1002', () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x01, 0x02])
    const result = validateSources([{ file: 'image.yaml', bytes }, { file: 'goal.yaml', text: GOAL }])
    expect(result.diagnostics.map((d) => `${d.file}:${d.code}`)).toEqual(['image.yaml:PS1002'])
    expect(result.summary.resources).toBe(1)
  })

  it('reports invalid UTF-8 without NUL bytes as PS1002', () => {
    expect(validateSources([{ file: 'bad.yaml', bytes: new Uint8Array([0x61, 0x3a, 0x20, 0xc3, 0x28]) }]).diagnostics.map((d) => d.code)).toEqual(['PS1002'])
  })

  it('reports a 50 MB file by size, before reading or parsing it', () => {
    const result = validateSources([{ file: 'huge.yaml', size: 50 * 1024 * 1024 }, { file: 'goal.yaml', text: GOAL }])
    expect(result.diagnostics).toMatchObject([{ file: 'huge.yaml', code: 'PS1006', line: 1, column: 1 }])
    expect(result.diagnostics[0]!.message).toContain('50 MiB')
  })

  it('reports a 50 MB text given in memory by size', () => {
    const text = 'a: ' + 'x'.repeat(50 * 1024 * 1024)
    const started = performance.now()
    expect(codes(text)).toEqual(['PS1006'])
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('rejects an alias bomb without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`)
    const result = validateTexts({ 'bomb.yaml': levels.join('\n') + '\n' })
    expect(result.diagnostics.length).toBeGreaterThan(0)
    expect(new Set(result.diagnostics.map((d) => d.code))).toEqual(new Set(['PS1004']))
    expect(result.diagnostics[0]).toMatchObject({ line: 1, column: 4, endColumn: 6 })
    expect(result.resources).toEqual([])
  })

  it.each([
    ['flow', 'a: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n'],
    // 10,000 block levels need at least 50 MB of indentation (caught by size); 1,000 fit in 500 KB.
    ['block', Array.from({ length: 1_000 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1\n'],
    ['compact sequence', '- '.repeat(10_000) + 'x\n'],
  ])('rejects deep %s nesting before parsing, twice in one process', (_name, text) => {
    for (let round = 0; round < 2; round++) {
      const result = validateTexts({ 'deep.yaml': text, 'goal.yaml': GOAL })
      expect(result.diagnostics.map((d) => d.code)).toEqual(['PS1007'])
      expect(result.diagnostics[0]!.line).toBeGreaterThanOrEqual(1)
      expect(result.resources.map((r) => r.name)).toEqual(['ok'])
    }
  })

  it.each([
    ['after a syntax error', '}' + '['.repeat(10_000) + '\n', 'PS1007@1:66'],
    ['after an anchor', 'a: &x ' + '['.repeat(10_000) + '\n', 'PS1007@1:70'],
    ['after an explicit key', '? ' + '['.repeat(10_000) + '\n', 'PS1007@1:66'],
    ['under a comment that looks like a block scalar header', 'a: 1 #c: |\n  b: ' + '['.repeat(10_000) + '\n', 'PS1007@2:69'],
  ])('rejects deep nesting that the text scan misses, %s, from the token tree, twice in one process', (_name, text, expected) => {
    for (let round = 0; round < 2; round++) {
      const result = validateTexts({ 'deep.yaml': text, 'goal.yaml': GOAL }, { keepParsed: round === 1 })
      expect(result.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`).join(' ')).toBe(expected)
      expect(result.resources.map((r) => r.name)).toEqual(['ok'])
    }
  })

  it('accepts nesting up to the limit', () => {
    expect(codes('a: ' + '['.repeat(60) + ']'.repeat(60) + '\n')).toEqual(['PS2002'])
  })

  it('rejects duplicate keys at the duplicate, at any depth', () => {
    expect(findings(GOAL + '  description: again\n')).toEqual(['PS1003@7:3'])
    expect(findings('apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: a\n  labels:\n    x: "1"\n    x: "2"\nspec:\n  description: d\n')).toEqual(['PS1003@7:5'])
  })

  it('rejects %YAML 1.1 and never reads on: yes as a boolean', () => {
    const result = validateTexts({ 'old.yaml': '%YAML 1.1\n---\n' + GOAL.replace('spec:', 'spec:\n  constraints:\n    on: yes\n    country: NO') })
    expect(result.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`)).toEqual(['PS1005@1:1'])
    expect(result.resources).toEqual([])
  })

  it('keeps YAML 1.2 core values as strings (the Norway problem, octal, sexagesimal)', () => {
    const result = validateTexts({ 'g.yaml': GOAL + '  constraints:\n    on: yes\n    country: NO\n    mode: 0755\n    time: 12:30\n' })
    expect(result.diagnostics).toEqual([])
    expect((result.resources[0]!.value.spec as { constraints: unknown }).constraints).toEqual({ on: 'yes', country: 'NO', mode: 755, time: '12:30' })
  })

  it('rejects custom tags such as !!js/function and !!binary', () => {
    expect(codes(GOAL + '  constraints:\n    run: !!js/function "() => 1"\n')).toEqual(['PS1011'])
    expect(findings(GOAL + '  constraints:\n    blob: !!binary aGVsbG8=\n')).toEqual(['PS1011@8:11'])
  })

  it('reports an unknown kind with a suggestion', () => {
    const result = validateTexts({ 'k.yaml': GOAL.replace('kind: Goal', 'kind: Goals') })
    expect(result.diagnostics).toMatchObject([{ code: 'PS2002', line: 2, column: 7 }])
    expect(result.diagnostics[0]!.message).toContain('did you mean "Goal"')
  })

  it('reports a document that is a list or a scalar', () => {
    expect(findings('- a\n- b\n')).toEqual(['PS2001@1:1'])
    expect(findings('just a string\n')).toEqual(['PS2001@1:1'])
    expect(findings(GOAL + '---\n42\n')).toEqual(['PS2001@8:1'])
  })

  it('accepts a UTF-8 byte-order mark with correct positions', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(GOAL.replace('name: ok', 'name: Not_OK'))])
    expect(validateSources([{ file: 'bom.yaml', bytes }]).diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`)).toEqual(['PS2009@4:9'])
  })

  it('accepts CRLF line endings with correct positions', () => {
    expect(findings(GOAL.replace('name: ok', 'name: Not_OK').replace(/\n/g, '\r\n'))).toEqual(['PS2009@4:9'])
  })

  it('reports tabs used for indentation as a syntax error at the tab', () => {
    const result = validateTexts({ 't.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n\tname: a\n' })
    expect(result.diagnostics[0]).toMatchObject({ code: 'PS1001', line: 4 })
  })

  it('reports a file that cannot be read and checks the others', () => {
    const result = validateSources([{ file: 'locked.yaml', error: 'EACCES' }, { file: 'goal.yaml', text: GOAL }])
    expect(result.diagnostics).toMatchObject([{ file: 'locked.yaml', code: 'PS1010', message: 'cannot read file: EACCES' }])
    expect(result.resources).toHaveLength(1)
  })

  it('reports merge keys as unknown fields rather than merging', () => {
    expect(codes(GOAL + '  <<: {priority: 1}\n')).toEqual(['PS2004'])
  })

  it('never lets __proto__ keys pollute prototypes', () => {
    validateTexts({ 'p.yaml': GOAL + '  constraints:\n    __proto__: {polluted: yes}\n    constructor: {prototype: {polluted: yes}}\n' })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(Object.prototype)).toEqual([])
  })
})
