// Several planspec processes reading one remote at once share its cache (one clone per URL under
// ~/.cache/planspec): a `get -w` in one terminal, a `wait` or `approve` in another. They take
// turns on it (the cache's lock); before, two fetches into one clone at once made a reader fail
// with "cannot read commit" (2 of 16 such reads here). The bundled binary over real smart HTTP.
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createBareRepo, pushFixture, startGitServer, type GitServer } from '@planspec/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO } from './helpers.js'

const run = promisify(execFile)
const BIN = join(REPO, 'packages/cli/bin/planspec.js')
const goal = (name: string): string => `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  description: Goal ${name}\n`

let root: string
let git: GitServer
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'planspec-shared-cache-'))
  git = await startGitServer({ root })
}, 60_000)
afterAll(async () => {
  await git?.close()
})

describe('a shared repository cache', () => {
  it('serves concurrent commands on one remote, each fetching the newest commit', async () => {
    const bare = await createBareRepo(root, 'shared.git')
    await pushFixture({ remote: bare, files: { '.planspec.yaml': 'namespace: default\n', 'planspec/goal-0.yaml': goal('goal-0') } })
    const url = git.url('shared.git')
    const env = { PATH: process.env.PATH ?? '', HOME: root, XDG_CACHE_HOME: join(root, 'cache'), PLANSPEC_LOG_LEVEL: 'warn' }
    for (let round = 1; round <= 6; round++) {
      await pushFixture({ remote: bare, files: { [`planspec/goal-${round}.yaml`]: goal(`goal-${round}`) }, message: `round ${round}` })
      const outcomes = await Promise.all([0, 1, 2, 3].map(() => run(process.execPath, [BIN, 'get', 'goals', '-n', 'default', '-o', 'name', '--repo', url], { env, timeout: 180_000 }).then((r) => ({ ok: true, out: r.stdout }), (e: { stderr?: string }) => ({ ok: false, out: e.stderr ?? String(e) }))))
      for (const outcome of outcomes) {
        expect(outcome.ok, outcome.out).toBe(true)
        expect(outcome.out.split('\n').filter(Boolean)).toHaveLength(round + 1)
      }
    }
  }, 600_000)
})
