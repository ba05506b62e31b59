import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './support.js'

describe('codegen', () => {
  it.each(['generate-model.mjs', 'generate-kind-table.mjs'])('%s output is up to date', (script) => {
    const run = spawnSync(process.execPath, [`tools/codegen/${script}`, '--check'], { cwd: repoRoot, encoding: 'utf8' })
    expect(run.stderr + run.stdout).toBe('')
    expect(run.status).toBe(0)
  })
})
