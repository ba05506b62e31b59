import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './support.js'

describe('codegen', () => {
  it('generated model is up to date', () => {
    const run = spawnSync(process.execPath, ['tools/codegen/generate-model.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' })
    expect(run.stderr + run.stdout).toBe('')
    expect(run.status).toBe(0)
  })
})
