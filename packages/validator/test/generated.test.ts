import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '../../..')

describe('generated code', () => {
  it('the precompiled schema validators match the schemas (npm run codegen regenerates them)', () => {
    const result = spawnSync(process.execPath, ['tools/codegen/compile-validators.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })
})
