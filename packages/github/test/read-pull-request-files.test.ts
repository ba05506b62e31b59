import { describe, expect, it } from 'vitest'
import { GITHUB_ERROR_CODES, listPullRequestFiles, readRepositoryFile } from '../src/index.js'
import { createVirtualClock } from './support/virtual-clock.js'
import { useFakeGitHub } from './support/use-fake-github.js'

const fake = useFakeGitHub()
const repo = { owner: 'acme', repo: 'plans' }

describe('listPullRequestFiles', () => {
  it('pages through every file, keeping renames', async () => {
    const files = Array.from({ length: 250 }, (_, i) => ({ filename: `plans/p-${i}.yaml`, status: 'modified' as const }))
    fake.github.addPullRequest({ ...repo, number: 3, author: 'amy', files: [...files, { filename: 'plans/new.yaml', status: 'renamed', previousFilename: 'plans/old.yaml' }] })
    const listed = await listPullRequestFiles({ octokit: fake.octokit, ...repo, pullNumber: 3 })
    expect(listed).toHaveLength(251)
    expect(listed.at(-1)).toEqual({ filename: 'plans/new.yaml', status: 'renamed', previousFilename: 'plans/old.yaml' })
    expect(fake.github.requests.filter((r) => r.operation === 'pulls/list-files')).toHaveLength(3)
  })

  it('stops at GitHub’s 3,000-file ceiling', async () => {
    const files = Array.from({ length: 3200 }, (_, i) => ({ filename: `f-${i}.yaml`, status: 'added' as const }))
    fake.github.addPullRequest({ ...repo, number: 3, author: 'amy', files })
    expect(await listPullRequestFiles({ octokit: fake.octokit, ...repo, pullNumber: 3 })).toHaveLength(3000)
    expect(await listPullRequestFiles({ octokit: fake.octokit, ...repo, pullNumber: 3, maxFiles: 150 })).toHaveLength(150)
  })

  it('retries one page after a 503 and throws a coded error for a missing pull request', async () => {
    fake.github.addPullRequest({ ...repo, number: 3, author: 'amy', files: [{ filename: 'a.yaml', status: 'added' }] })
    fake.github.fail({ operation: 'pulls/list-files', status: 503 })
    const clock = createVirtualClock()
    expect(await clock.drive(listPullRequestFiles({ octokit: fake.octokit, ...repo, pullNumber: 3, clock }))).toHaveLength(1)
    await expect(listPullRequestFiles({ octokit: fake.octokit, ...repo, pullNumber: 4 })).rejects.toMatchObject({ code: GITHUB_ERROR_CODES.notFound })
  })
})

describe('readRepositoryFile', () => {
  it('reads a file at a revision as bytes and answers undefined when it is not there', async () => {
    const text = 'apiVersion: planspec.io/v1alpha1\nkind: Plan\n# é ✓\n'.repeat(40)
    fake.github.putFile('acme', 'plans', 'b'.repeat(40), 'plans/a b.yaml', text)
    const file = await readRepositoryFile({ octokit: fake.octokit, ...repo, path: 'plans/a b.yaml', ref: 'b'.repeat(40) })
    expect(Buffer.from(file?.bytes ?? []).toString('utf8')).toBe(text)
    expect(file?.size).toBe(Buffer.byteLength(text))
    expect(await readRepositoryFile({ octokit: fake.octokit, ...repo, path: 'plans/none.yaml', ref: 'main' })).toBeUndefined()
  })
})

describe('readRepositoryFile on what is not a small file', () => {
  it('never reads a directory as a file, and gives a file over 1 MB by size only', async () => {
    fake.github.putFile('acme', 'plans', 'main', 'plans/a.yaml', 'kind: Plan\n')
    fake.github.putFile('acme', 'plans', 'main', 'big.yaml', `# ${'x'.repeat(1024 * 1024 + 10)}\n`)
    expect(await readRepositoryFile({ octokit: fake.octokit, ...repo, path: 'plans', ref: 'main' })).toEqual({ path: 'plans', size: 0, error: 'is a directory' })
    expect(await readRepositoryFile({ octokit: fake.octokit, ...repo, path: 'big.yaml', ref: 'main' })).toEqual({ path: 'big.yaml', size: 1024 * 1024 + 13 })
  })
})
