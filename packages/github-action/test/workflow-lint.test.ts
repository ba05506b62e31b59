import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lintWorkflow } from './support/lint-workflow.js'
import { describe, expect, it } from 'vitest'

// The example users copy lives beside the Action (a file under .github/workflows would run here).
const WORKFLOWS = join(dirname(fileURLToPath(import.meta.url)), '../examples')

describe('workflow lint (THREATS T15)', () => {
  it('finds each problem it looks for', () => {
    const bad = [
      'on: pull_request_target',
      'jobs:',
      '  x:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: echo "${{ github.event.pull_request.title }}"',
    ].join('\n')
    expect(lintWorkflow(bad)).toEqual([
      'no permissions: block',
      'pull_request_target with a checkout',
      'action not pinned by SHA: actions/checkout@v4',
      'github.event inside run: echo "${{ github.event.pull_request.titl',
    ])
  })

  it('passes the example workflow shipped for users', () => {
    const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name))
    expect(files).toContain('planspec-review.yml')
    for (const file of files) expect({ file, problems: lintWorkflow(readFileSync(join(WORKFLOWS, file), 'utf8')) }).toEqual({ file, problems: [] })
  })
})
