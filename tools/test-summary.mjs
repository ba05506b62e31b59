#!/usr/bin/env node
// Sums the vitest JSON reports of every workspace (written as <workspace>/test-results.json) and
// prints the one line CI reads, alone and last: "N passed, N failed". Exits 1 when anything
// failed, when a workspace with tests left no report, or when nothing ran at all. With
// `--nx-log FILE` (the output of `nx run-many`), every task Nx lists under "Failed tasks" that is
// not already counted by a failed test (lint, typecheck, build, a coverage threshold) adds one.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

/** Lists the workspace folders named by the root package.json (supports the `dir/*` form). */
function workspaceDirs() {
  const dirs = []
  for (const pattern of workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2))
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name))
      }
    } else dirs.push(join(root, pattern))
  }
  return dirs
}

let passed = 0
let failed = 0
let skipped = 0
const missing = []
for (const dir of workspaceDirs()) {
  const report = join(dir, 'test-results.json')
  const hasTests = existsSync(join(dir, 'test'))
  if (!existsSync(report)) {
    if (hasTests) missing.push(dir.slice(root.length))
    continue
  }
  const result = JSON.parse(readFileSync(report, 'utf8'))
  passed += result.numPassedTests ?? 0
  failed += result.numFailedTests ?? 0
  skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0)
  // A test file that failed to load has no assertion results: count it as one failure.
  for (const file of result.testResults ?? []) {
    if (file.status === 'failed' && !(file.assertionResults ?? []).length) failed++
  }
}
// Nx lists failed tasks as "- @planspec/core:test" after a "Failed tasks:" line.
const logAt = process.argv.indexOf('--nx-log')
if (logAt > 0 && existsSync(process.argv[logAt + 1] ?? '')) {
  const log = readFileSync(process.argv[logAt + 1], 'utf8').replace(/\u001b\[[0-9;]*m/g, '')
  const tasks = log.includes('Failed tasks:') ? log.slice(log.lastIndexOf('Failed tasks:')).split('\n').slice(1).map((line) => /^\s*- (\S+:\S+)\s*$/.exec(line)?.[1]).filter(Boolean) : []
  // A test task that failed because tests failed is already counted above.
  const counted = failed > 0 ? tasks.filter((task) => !task.endsWith(':test')) : tasks
  for (const task of counted) console.log(`failed task: ${task} (see its output above)`)
  failed += counted.length
}
for (const dir of missing) {
  console.log(`missing test report: ${dir} (its tests did not run)`)
  failed++
}
if (skipped) console.log(`${skipped} skipped`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
