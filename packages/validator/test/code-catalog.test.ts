import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CODES, renderCodeCatalog } from '../src/index.js'

describe('the code catalog', () => {
  it('matches the committed docs/diagnostics.md (regenerate with tools/docs/generate-diagnostics.mjs)', () => {
    expect(readFileSync(join(import.meta.dirname, '../../../docs/diagnostics.md'), 'utf8')).toBe(renderCodeCatalog())
  })

  it('documents every code with a title, help and a stable PS + 4 digit form', () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(code).toMatch(/^PS[1-6]\d{3}$/)
      expect(info.title.length).toBeGreaterThan(3)
      expect(info.help.length).toBeGreaterThan(20)
    }
  })

  it('uses every code somewhere in the validator sources', () => {
    const sources = readdirSync(join(import.meta.dirname, '../src')).filter((f) => f.endsWith('.ts') && f !== 'codes.ts')
    const text = [
      ...sources.map((f) => readFileSync(join(import.meta.dirname, '../src', f), 'utf8')),
      // Run-time problems found by `planspec simulate` share the catalog.
      readFileSync(join(import.meta.dirname, '../../engine/src/runner/simulate-run.ts'), 'utf8'),
      // Exit-2 problems of `planspec validate` (a path not found, no YAML file) are diagnostics too.
      readFileSync(join(import.meta.dirname, '../../cli/src/commands/validate/path-problems.ts'), 'utf8'),
    ].join('\n')
    const unused = Object.keys(CODES).filter((code) => !text.includes(`'${code}'`))
    expect(unused).toEqual([])
  })
})
