import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { OWNER, PLAN, REPO, TEST_TOKEN, useActionHarness } from './support/action-harness.js'

const h = useActionHarness()
const BUNDLE = join(dirname(fileURLToPath(import.meta.url)), '../dist/action.mjs')

/** Runs the bundled Action as the runner does: `node dist/action.mjs` with the GITHUB_* and INPUT_* environment. */
function runBundle(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Reads a GITHUB_OUTPUT file (`name<<DELIMITER`, value lines, `DELIMITER`). */
function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const match of text.matchAll(pattern)) outputs[match[1] as string] = match[3] as string
  return outputs
}

describe('the bundled Action (dist/action.mjs)', () => {
  it('reviews a pull request end to end against the fake GitHub', async () => {
    const pr = h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: h.example(PLAN).replace('Publish the changelog', 'Publish the weekly changelog') }])
    const dir = h.workspace.dir
    const event = join(dir, '.event.json')
    writeFileSync(event, JSON.stringify({ pull_request: { number: 42, user: { login: 'amy' }, head: { sha: pr.headSha, ref: pr.headRef, repo: { full_name: `${OWNER}/${REPO}`, fork: false } }, base: { sha: pr.baseSha, ref: 'main' } } }))
    writeFileSync(join(dir, '.output'), '')
    writeFileSync(join(dir, '.summary'), '')
    const { code, stdout, stderr } = await runBundle({
      INPUT_TOKEN: TEST_TOKEN,
      INPUT_COMMENT: 'true',
      'INPUT_SARIF-FILE': 'planspec.sarif',
      GITHUB_API_URL: h.github.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_RUN_ID: '7',
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: join(dir, '.output'),
      GITHUB_STEP_SUMMARY: join(dir, '.summary'),
    })
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(stdout).toContain(`::add-mask::${TEST_TOKEN}`)
    expect(stdout).not.toMatch(/^::error/m)
    expect(readOutputs(readFileSync(join(dir, '.output'), 'utf8'))).toMatchObject({ errors: '0', warnings: '0', review: expect.stringContaining('## PlanSpec review') })
    expect(readFileSync(join(dir, '.summary'), 'utf8')).toContain('PlanSpec validation')
    expect(existsSync(join(dir, 'planspec.sarif'))).toBe(true)
    expect(h.comments()).toEqual([expect.stringMatching(/^<!-- planspec:review -->/)])
  })

  it('fails with a clear message, not a stack trace, when the environment is wrong', async () => {
    const { code, stdout } = await runBundle({ INPUT_TOKEN: TEST_TOKEN })
    expect(code).toBe(1)
    expect(stdout).toContain('::error::GITHUB_REPOSITORY is not set: run this Action in a GitHub workflow')
  })
})
