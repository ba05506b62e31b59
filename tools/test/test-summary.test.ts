import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const SCRIPT = join(import.meta.dirname, '../test-summary.mjs')

/** Lays out a fake workspace with the given vitest JSON reports and runs the summary in it. */
function summarize(reports: Record<string, object | null>, nxLog?: string): { code: number | null; lines: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'planspec-summary-'))
  mkdirSync(join(root, 'tools'))
  cpSync(SCRIPT, join(root, 'tools/test-summary.mjs'))
  writeFileSync(join(root, 'package.json'), JSON.stringify({ workspaces: ['packages/*'] }))
  for (const [pkg, report] of Object.entries(reports)) {
    mkdirSync(join(root, 'packages', pkg, 'test'), { recursive: true })
    if (report) writeFileSync(join(root, 'packages', pkg, 'test-results.json'), JSON.stringify(report))
  }
  if (nxLog !== undefined) writeFileSync(join(root, 'nx.log'), nxLog)
  const run = spawnSync(process.execPath, ['tools/test-summary.mjs', ...(nxLog === undefined ? [] : ['--nx-log', 'nx.log'])], { cwd: root, encoding: 'utf8' })
  return { code: run.status, lines: run.stdout.trim().split('\n') }
}

describe('the test summary line CI reads', () => {
  it('sums every workspace and prints "N passed, N failed" last', () => {
    const out = summarize({ a: { numPassedTests: 3, numFailedTests: 0, testResults: [] }, b: { numPassedTests: 2, numFailedTests: 0, testResults: [] } })
    expect(out.lines.at(-1)).toBe('5 passed, 0 failed')
    expect(out.code).toBe(0)
  })

  it('fails when a test failed', () => {
    const out = summarize({ a: { numPassedTests: 3, numFailedTests: 1, testResults: [] } })
    expect(out.lines.at(-1)).toBe('3 passed, 1 failed')
    expect(out.code).toBe(1)
  })

  it('counts a test file that failed to load as a failure', () => {
    const out = summarize({ a: { numPassedTests: 3, numFailedTests: 0, testResults: [{ status: 'failed', assertionResults: [] }] } })
    expect(out.lines.at(-1)).toBe('3 passed, 1 failed')
    expect(out.code).toBe(1)
  })

  it('counts a workspace whose tests did not run as a failure', () => {
    const out = summarize({ a: { numPassedTests: 3, numFailedTests: 0, testResults: [] }, b: null })
    expect(out.lines).toContain('missing test report: packages/b (its tests did not run)')
    expect(out.lines.at(-1)).toBe('3 passed, 1 failed')
    expect(out.code).toBe(1)
  })

  it('fails when nothing ran', () => {
    const out = summarize({ a: { numPassedTests: 0, numFailedTests: 0, testResults: [] } })
    expect(out.lines.at(-1)).toBe('0 passed, 0 failed')
    expect(out.code).toBe(1)
  })

  it('counts tasks Nx reports failed (lint, typecheck, a coverage threshold) so the line never says 0 failed', () => {
    const log = ' NX   Running targets ...\n\u001b[31mFailed tasks:\u001b[39m\n\n- @planspec/core:test\n- @planspec/server:lint\n\n  Run duration: 8m\n'
    const out = summarize({ a: { numPassedTests: 3, numFailedTests: 0, testResults: [] } }, log)
    expect(out.lines).toContain('failed task: @planspec/core:test (see its output above)')
    expect(out.lines.at(-1)).toBe('3 passed, 2 failed')
    expect(out.code).toBe(1)
  })

  it('does not count a test task twice when its tests failed', () => {
    const out = summarize({ a: { numPassedTests: 3, numFailedTests: 1, testResults: [] } }, 'Failed tasks:\n\n- @planspec/a:test\n')
    expect(out.lines.at(-1)).toBe('3 passed, 1 failed')
  })

  it('adds nothing when Nx reports no failed task', () => {
    const out = summarize({ a: { numPassedTests: 3, numFailedTests: 0, testResults: [] } }, ' NX   Successfully ran targets\n')
    expect(out.lines.at(-1)).toBe('3 passed, 0 failed')
    expect(out.code).toBe(0)
  })
})
