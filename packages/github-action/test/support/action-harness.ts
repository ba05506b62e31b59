import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect } from 'vitest'
// Test support shared with @planspec/github: the fake GitHub checked against GitHub's OpenAPI
// description. Relative on purpose: it is test code, never part of a package's public surface.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startFakeGitHub, TEST_TOKEN, type FakeGitHub } from '../../../github/test/support/fake-github.js'
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { FileChange } from '../../../github/test/support/github-objects.js'
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { PullRequestRecord } from '../../../github/test/support/pull-request-objects.js'
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestOctokit } from '../../../github/test/support/test-octokit.js'
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createVirtualClock, type VirtualClock } from '../../../github/test/support/virtual-clock.js'
import { runAction, type ActionContext, type ActionResult } from '../../src/index.js'
import { createFakeCore, type FakeCore } from './fake-core.js'
import { createWorkspace, MINIMAL_EXAMPLE, nodeFs, type TempWorkspace } from './workspace.js'

export { TEST_TOKEN }
export const OWNER = 'acme'
export const REPO = 'plans'
export const PLAN = 'planspec/plans/publish-changelog.yaml'
export const EXECUTION = 'planspec/executions/changelog-2025-w10.yaml'

/** One file of a change: its text in base and in head (absent: added or removed). */
export interface ChangedFile {
  readonly path: string
  readonly base?: string
  readonly head?: string
  readonly renamedFrom?: string
}

/** A fake GitHub, a temporary checkout of the minimal example, and a way to run the Action on a pull request. */
export interface ActionHarness {
  readonly github: FakeGitHub
  readonly workspace: TempWorkspace
  readonly clock: VirtualClock
  /** Reads a file of the example the checkout was made from. */
  example(path: string): string
  /** Writes head to the checkout and base to the fake, and opens pull request 42 listing the files. */
  openPullRequest(files: readonly ChangedFile[], overrides?: Partial<PullRequestRecord> & { readonly extraFiles?: readonly FileChange[] }): PullRequestRecord
  /** Runs the Action, moving the virtual clock through every wait (rate limits, backoff). */
  run(options?: { inputs?: Record<string, string>; eventName?: string; payload?: unknown; token?: string; core?: FakeCore }): Promise<{ core: FakeCore; result: ActionResult }>
  comments(): string[]
}

/** A fake GitHub and a checkout of `example` (default the minimal example) per test. */
export function useActionHarness(options: { readonly example?: string } = {}): ActionHarness {
  const example = options.example ?? MINIMAL_EXAMPLE
  let github: FakeGitHub | undefined
  let workspace: TempWorkspace | undefined
  let clock: VirtualClock | undefined
  let pull: PullRequestRecord | undefined
  beforeEach(async () => {
    github = await startFakeGitHub()
    workspace = createWorkspace({ copyFrom: example })
    clock = createVirtualClock()
    pull = undefined
  })
  afterEach(async () => {
    const violations = github?.violations ?? []
    await github?.close()
    workspace?.dispose()
    expect(violations).toEqual([])
  })
  const harness: ActionHarness = {
    get github() {
      return github as FakeGitHub
    },
    get workspace() {
      return workspace as TempWorkspace
    },
    get clock() {
      return clock as VirtualClock
    },
    example: (path) => readFileSync(join(example, path), 'utf8'),
    openPullRequest(files, overrides = {}) {
      const { extraFiles = [], ...pr } = overrides
      const changes: FileChange[] = files.map((f) => ({
        filename: f.path,
        status: f.head === undefined ? 'removed' : f.renamedFrom !== undefined ? 'renamed' : f.base === undefined ? 'added' : 'modified',
        ...(f.renamedFrom === undefined ? {} : { previousFilename: f.renamedFrom }),
      }))
      pull = harness.github.addPullRequest({ owner: OWNER, repo: REPO, number: 42, author: 'amy', files: [...changes, ...extraFiles], ...pr })
      for (const f of files) {
        if (f.head === undefined) harness.workspace.remove(f.path)
        else harness.workspace.write(f.path, f.head)
        if (f.renamedFrom !== undefined) harness.workspace.remove(f.renamedFrom)
        if (f.base !== undefined) harness.github.putFile(OWNER, REPO, pull.baseSha, f.renamedFrom ?? f.path, f.base)
      }
      return pull
    },
    async run(options = {}) {
      const core = options.core ?? createFakeCore(options.inputs ?? {})
      const pr = pull
      const payload =
        options.payload ??
        (pr === undefined
          ? { ref: 'refs/heads/main' }
          : {
              action: 'synchronize',
              number: pr.number,
              pull_request: {
                number: pr.number,
                title: pr.title,
                user: { login: pr.author },
                head: { sha: pr.headSha, ref: pr.headRef, repo: { full_name: pr.headRepo, fork: pr.headRepo !== `${OWNER}/${REPO}` } },
                base: { sha: pr.baseSha, ref: pr.baseRef, repo: { full_name: `${OWNER}/${REPO}`, fork: false } },
              },
            })
      const context: ActionContext = {
        eventName: options.eventName ?? (pr === undefined ? 'push' : 'pull_request'),
        repository: { owner: OWNER, repo: REPO },
        serverUrl: 'https://github.com',
        runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/7`,
        payload,
      }
      const octokit = createTestOctokit(harness.github, options.token ?? TEST_TOKEN)
      const result = await harness.clock.drive(runAction({ core, octokit, context, fs: nodeFs, cwd: harness.workspace.dir, clock: harness.clock }))
      return { core, result }
    },
    comments: () => harness.github.commentsOn(OWNER, REPO, 42).map((c) => c.body),
  }
  return harness
}
