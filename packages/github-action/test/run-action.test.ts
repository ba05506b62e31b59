import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXECUTION, OWNER, PLAN, REPO, TEST_TOKEN, useActionHarness } from './support/action-harness.js'
import { createFakeCore } from './support/fake-core.js'

const h = useActionHarness()

/** The plan of the minimal example with one more task after `publish`. */
function planWithAnnounce(): string {
  return `${h.example(PLAN)}
      - id: announce
        kind: Task
        name: Announce the changelog
        dependsOn: [publish]
        capabilityRefs:
          - name: changelog-automation
`
}

describe('runAction on a pull request', () => {
  it('reviews a changed plan: one sticky comment, SARIF, outputs, a summary, and no failure', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    const { core, result } = await h.run({ inputs: { 'sarif-file': 'out/planspec.sarif' } })
    expect(core.failures).toEqual([])
    expect(result).toEqual({ errors: 0, warnings: 0, comment: 'created' })
    expect(Object.fromEntries(core.outputs)).toEqual({ errors: '0', warnings: '0', review: expect.stringContaining('## PlanSpec review') })
    const [comment, ...others] = h.comments()
    expect(others).toEqual([])
    expect(comment).toBe(core.outputs.get('review'))
    expect(comment).toMatch(/^<!-- planspec:review -->/)
    expect(comment).toContain('announce')
    expect(comment!.length).toBeLessThanOrEqual(65_535)
    const sarif = JSON.parse(readFileSync(join(h.workspace.dir, 'out/planspec.sarif'), 'utf8')) as { version: string; runs: { results: unknown[] }[] }
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0]?.results).toEqual([])
    expect(core.summaryText).toContain('PlanSpec validation')
    expect(core.summaryText).toContain('PlanSpec review')
  })

  it('updates the same comment when run again, and leaves it alone when nothing changed', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    await h.run()
    const [first] = h.github.commentsOn(OWNER, REPO, 42)
    h.workspace.write(PLAN, planWithAnnounce().replace('Announce the changelog', 'Announce it on the blog'))
    const second = await h.run()
    const third = await h.run()
    expect([second.result.comment, third.result.comment]).toEqual(['updated', 'unchanged'])
    const comments = h.github.commentsOn(OWNER, REPO, 42)
    expect(comments.map((c) => c.id)).toEqual([first?.id])
    expect(comments[0]?.body).toContain('Announce it on the blog')
  })

  it('annotates at most 10 errors and 10 warnings, ranked, and lists the rest in the job summary', async () => {
    const n = (i: number): string => String(i).padStart(2, '0')
    const goals = Array.from({ length: 15 }, (_, i) => ({
      path: `planspec/broken/goal-${n(i)}.yaml`,
      head: `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: goal-${i}\nspec:\n  description: x\n  bogus: ${i}\n`,
    }))
    const executions = Array.from({ length: 15 }, (_, i) => ({
      path: `planspec/dangling/run-${n(i)}.yaml`,
      head: `apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata:\n  name: run-${i}\nspec:\n  planRef:\n    name: missing-plan-${i}\n`,
    }))
    h.openPullRequest([...executions, ...goals])
    const { core, result } = await h.run()
    const errors = core.annotations.filter((a) => a.level === 'error')
    const warnings = core.annotations.filter((a) => a.level === 'warning')
    expect(result.errors).toBeGreaterThan(10)
    expect(result.warnings).toBeGreaterThan(10)
    expect(errors).toHaveLength(10)
    expect(warnings).toHaveLength(10)
    expect(errors.map((a) => a.properties?.file)).toEqual(goals.slice(0, 10).map((g) => g.path))
    expect(errors[0]?.properties).toMatchObject({ title: 'PS2004', startLine: 7, startColumn: 3 })
    expect(warnings.map((a) => a.properties?.file)).toEqual(executions.slice(0, 10).map((e) => e.path))
    const codes = errors.map((a) => a.properties?.title ?? '')
    expect([...codes].sort()).toEqual(codes)
    const hidden = result.errors + result.warnings - 20
    // The same ranking, ranges and closing notice as `planspec validate -o github`.
    expect(core.annotations.filter((a) => a.level === 'notice')).toEqual([{ level: 'notice', message: expect.stringMatching(/^\d+ more errors and \d+ more warnings are not annotated/), properties: { title: 'PlanSpec' } }])
    expect(errors[0]?.properties?.endColumn).toBe((errors[0]?.properties?.startColumn ?? 0) + 'bogus'.length - 1)
    expect(core.summaryText).toContain(`${hidden} more findings are only in the table below`)
    expect(core.failures).toEqual([`${result.errors} errors in the PlanSpec manifests this pull request changes`])
    expect(core.outputs.get('errors')).toBe(String(result.errors))
  })

  it('reports a finding an unchanged file gets from the change, and not pre-existing ones elsewhere', async () => {
    h.workspace.write('planspec/legacy/old.yaml', 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: old\nspec:\n  description: x\n  bogus: 1\n')
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN) }])
    const { core, result } = await h.run()
    expect(result.errors).toBe(0)
    expect(result.warnings).toBeGreaterThan(0)
    const files = new Set(core.annotations.map((a) => a.properties?.file))
    expect(files).toEqual(new Set([EXECUTION, 'planspec/bindings/changelog-providers.yaml']))
    expect(h.comments()[0]).toContain('publish-changelog')
  })

  it('handles a pull request touching 500 files', async () => {
    const files = Array.from({ length: 500 }, (_, i) => {
      const name = `task-${String(i).padStart(3, '0')}`
      const path = `planspec/many/${name}.yaml`
      const text = (n: string) => `apiVersion: planspec.io/v1alpha1\nkind: Capability\nmetadata:\n  name: ${name}\nspec:\n  displayName: ${n}\n  description: Capability ${i}\n`
      return i % 5 === 0 ? { path, head: text('new') } : { path, base: text('old'), head: text(i % 2 === 0 ? 'changed' : 'old') }
    })
    h.openPullRequest(files, { extraFiles: Array.from({ length: 40 }, (_, i) => ({ filename: `docs/page-${i}.md`, status: 'modified' as const })) })
    const started = Date.now()
    const { core, result } = await h.run()
    expect(core.failures).toEqual([])
    expect(result.comment).toBe('created')
    expect(h.github.requests.filter((r) => r.operation === 'pulls/list-files')).toHaveLength(6)
    expect(h.github.requests.filter((r) => r.operation === 'repos/get-content')).toHaveLength(400)
    expect(h.comments()[0]!.length).toBeLessThanOrEqual(65_535)
    expect(h.comments()[0]).toMatch(/Capability/)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('keeps a 1,000-node plan review within 65,535 characters', async () => {
    const nodes = Array.from({ length: 1000 }, (_, i) =>
      [`      - id: n${i}`, '        kind: Task', `        name: Step number ${i} of the very large plan`, ...(i === 0 ? [] : [`        dependsOn: [n${Math.floor((i - 1) / 2)}]`])].join('\n'),
    ).join('\n')
    const big = `apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata:\n  name: huge\nspec:\n  description: A thousand tasks\n  graph:\n    nodes:\n${nodes}\n`
    h.openPullRequest([{ path: 'planspec/plans/huge.yaml', head: big }])
    const { core, result } = await h.run()
    expect(core.failures).toEqual([])
    expect(result.comment).toBe('created')
    const [comment] = h.comments()
    expect(comment!.length).toBeLessThanOrEqual(65_535)
    expect(comment).toContain('huge')
  })
})

describe('runAction reading the change', () => {
  it('reads a changed manifest through the API when the checkout lacks it', async () => {
    const pr = h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    h.workspace.remove(PLAN)
    h.github.putFile(OWNER, REPO, pr.headSha, PLAN, planWithAnnounce())
    const { core, result } = await h.run()
    expect(core.failures).toEqual([])
    expect(result.comment).toBe('created')
    expect(h.comments()[0]).toContain('announce')
    expect(h.github.requests.filter((r) => r.operation === 'repos/get-content')).toHaveLength(2)
  })

  it('follows a rename to the base file', async () => {
    h.openPullRequest([{ path: 'planspec/plans/changelog.yaml', base: h.example(PLAN), head: h.example(PLAN), renamedFrom: PLAN }])
    const { core, result } = await h.run()
    expect(core.failures).toEqual([])
    expect(result).toMatchObject({ errors: 0, comment: 'created' })
    expect(h.github.requests.filter((r) => r.operation === 'repos/get-content').map((r) => decodeURIComponent(r.path))).toEqual([`/repos/${OWNER}/${REPO}/contents/${PLAN}`])
  })

  it('ignores changed files outside the manifest globs and YAML that is not PlanSpec', async () => {
    h.workspace.write('.github/workflows/ci.yml', 'on: push\njobs: {}\n')
    h.workspace.write('.planspec.yaml', 'namespace: default\npaths: ["planspec/**/*.yaml"]\nexclude: ["planspec/drafts/**"]\n')
    h.openPullRequest([
      { path: 'planspec/drafts/wip.yaml', head: 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: Not_Valid\n' },
      { path: 'planspec/notes.yaml', base: 'title: notes\n', head: 'title: more notes\n' },
    ], { extraFiles: [{ filename: '.github/workflows/ci.yml', status: 'modified' }] })
    const { core, result } = await h.run()
    expect(result).toMatchObject({ errors: 0, warnings: 0 })
    expect(core.annotations).toEqual([])
    expect(h.github.requests.filter((r) => r.operation === 'repos/get-content')).toEqual([])
  })

  it('fails on warnings when asked to', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN) }])
    const { core, result } = await h.run({ inputs: { 'fail-on-warnings': 'true' } })
    expect(result.errors).toBe(0)
    expect(core.failures).toEqual([`${result.warnings} warnings in the PlanSpec manifests (fail-on-warnings is on)`])
  })
})

describe('runAction with a read-only token', () => {
  it('does not comment on a fork pull request, writes the summary, and does not fail for it', async () => {
    h.github.tokens.set('ghs_forkReadOnly00000000000000000000001', { login: 'github-actions[bot]', write: false })
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }], { headRepo: 'mallory/plans' })
    const { core, result } = await h.run({ token: 'ghs_forkReadOnly00000000000000000000001' })
    expect(result).toEqual({ errors: 0, warnings: 0, comment: 'skipped' })
    expect(core.failures).toEqual([])
    expect(h.comments()).toEqual([])
    expect(h.github.requests.filter((r) => r.method !== 'GET')).toEqual([])
    expect(core.summaryText).toContain('PlanSpec review')
    expect(core.annotations).toEqual([expect.objectContaining({ level: 'notice', message: expect.stringContaining('fork') })])
  })

  it('treats a 403 on the comment as "summary only", not as a failure', async () => {
    h.github.tokens.set('ghs_readOnly0000000000000000000000000001', { login: 'github-actions[bot]', write: false })
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    const { core, result } = await h.run({ token: 'ghs_readOnly0000000000000000000000000001' })
    expect(result.comment).toBe('skipped')
    expect(core.failures).toEqual([])
    expect(h.comments()).toEqual([])
    expect(core.annotations.at(-1)?.message).toContain('pull-requests: write')
  })
})

describe('runAction when GitHub fails', () => {
  it('waits for a near rate-limit reset and then succeeds', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    const reset = Math.floor(h.clock.now() / 1000) + 240
    h.github.fail({ operation: 'pulls/list-files', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } })
    const { core, result } = await h.run()
    expect(core.failures).toEqual([])
    expect(result.comment).toBe('created')
    expect(h.clock.now()).toBeGreaterThanOrEqual(reset * 1000)
  })

  it('fails clearly when the rate limit resets later than 5 minutes from now', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    h.github.fail({ operation: 'pulls/list-files', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(h.clock.now() / 1000) + 600) } })
    const { core, result } = await h.run()
    expect(core.failures).toEqual([expect.stringMatching(/^GitHub pulls\.listFiles answered 403: .*\(PLANSPEC_ERR_GITHUB_RATE_LIMITED\)\. Try again after the rate limit resets\.$/)])
    expect(result.failure).toBe(core.failures[0])
    expect(h.comments()).toEqual([])
  })

  it('fails clearly when the pull request is gone (404)', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    h.github.pulls.clear()
    const { core } = await h.run()
    expect(core.failures).toEqual([expect.stringMatching(/answered 404: Not Found \(PLANSPEC_ERR_GITHUB_NOT_FOUND\)/)])
  })

  it('fails clearly when GitHub refuses the comment (422), after writing outputs and the summary', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    h.github.fail({ operation: 'issues/create-comment', status: 422 })
    const { core, result } = await h.run()
    expect(core.failures).toEqual([expect.stringMatching(/issues\.createComment answered 422: Validation Failed \(PLANSPEC_ERR_GITHUB_INVALID\)/)])
    expect(result.comment).toBe('failed')
    expect(core.outputs.get('errors')).toBe('0')
    expect(core.summaryText).toContain('PlanSpec review')
  })

  it('retries 5xx and succeeds, or fails clearly when they persist', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    h.github.fail({ operation: 'repos/get-content', status: 502, times: 2 })
    expect((await h.run()).core.failures).toEqual([])
    h.github.fail({ operation: 'issues/list-comments', status: 503, times: 10 })
    const { core } = await h.run()
    expect(core.failures).toEqual([expect.stringMatching(/answered 503.*\(PLANSPEC_ERR_GITHUB_UNAVAILABLE\)/)])
  })

  it('fails clearly on a bad token (401)', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN) }])
    const { core } = await h.run({ token: 'ghs_revoked0000000000000000000000000001' })
    expect(core.failures).toEqual([expect.stringMatching(/answered 401: Bad credentials \(PLANSPEC_ERR_GITHUB_UNAUTHORIZED\)\. Check the token input\./)])
  })
})

describe('runAction failures that are not GitHub’s', () => {
  it('turns a thrown non-Error value into a clear failure', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN), head: planWithAnnounce() }])
    const core = createFakeCore()
    core.summary.write = () => Promise.reject(new Error('summary down'))
    core.setOutput = () => {
      throw { reason: 'not an error' }
    }
    const { result } = await h.run({ core })
    expect(core.failures).toEqual(['failed with a thrown object value'])
    expect(result.failure).toBe('failed with a thrown object value')
    expect(core.annotations.some((a) => a.message.includes('could not write the job summary: summary down'))).toBe(true)
  })

  it('refuses a bad input clearly', async () => {
    h.openPullRequest([{ path: PLAN, base: h.example(PLAN) }])
    expect((await h.run({ inputs: { comment: 'yes' } })).core.failures).toEqual(['ActionInputError: input comment must be true or false, not "yes"'])
    expect((await h.run({ inputs: { 'sarif-file': '../escape.sarif' } })).core.failures).toEqual(['ActionInputError: paths must stay inside the workspace: "../escape.sarif"'])
  })
})

describe('runAction outside a pull request', () => {
  it('validates every manifest and posts nothing', async () => {
    h.workspace.write('planspec/broken.yaml', 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: Bad_Name\nspec: {}\n')
    const { core, result } = await h.run()
    expect(result.comment).toBe('skipped')
    expect(result.errors).toBeGreaterThan(0)
    expect(core.outputs.get('review')).toBe('')
    expect(h.github.requests).toEqual([])
    expect(core.annotations.every((a) => a.properties?.file === 'planspec/broken.yaml')).toBe(true)
  })
})

describe('runAction and hostile input (THREATS T13, T15)', () => {
  it('renders $(…), mentions and HTML from branch names and manifests as text, and never leaks the token', async () => {
    const hostile = 'apiVersion: planspec.io/v1alpha1\nkind: Capability\nmetadata:\n  name: pwned\nspec:\n  displayName: "$(touch pwned) @admin <img src=x onerror=alert(1)>"\n  description: "`rm -rf /` [x](https://evil.example)"\n'
    h.openPullRequest([{ path: 'planspec/$(touch pwned).yaml', head: hostile }], { headRef: '$(touch pwned)', title: '$(touch pwned) @admin' })
    const { core } = await h.run({ inputs: { 'sarif-file': 'planspec.sarif' } })
    expect(existsSync(join(h.workspace.dir, 'pwned'))).toBe(false)
    const [comment = ''] = h.comments()
    const outsideCode = comment.replace(/(`+)(?:(?!\1).)+\1/g, '')
    expect(outsideCode).not.toMatch(/@admin|<img|\]\(https:\/\/evil/)
    const everything = [comment, core.summaryText, ...core.outputs.values(), ...core.failures, ...core.annotations.map((a) => a.message), readFileSync(join(h.workspace.dir, 'planspec.sarif'), 'utf8')].join('\n')
    for (const form of [TEST_TOKEN, Buffer.from(TEST_TOKEN).toString('base64'), encodeURIComponent(TEST_TOKEN)]) expect(everything).not.toContain(form)
  })
})
