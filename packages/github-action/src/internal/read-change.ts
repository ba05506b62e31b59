import { join } from 'node:path'
import { isPlanSpecDocument, type FileSelection, type SourceFile } from '@planspec/validator'
import { listPullRequestFiles, readRepositoryFile, type Clock, type GitHubClient, type GitHubRetryPolicy, type RepositoryFile } from '@planspec/github'
import type { ActionFs } from '../action-types.js'
import type { PullRequestInfo } from './read-pull-request.js'
import { readManifest, type Workspace } from './read-workspace.js'

/** How many base files are fetched at once. */
const CONCURRENCY = 8

/** Both sides of a pull request's manifests, as the validator reads them. */
export interface Change {
  /** Every manifest of head: the checkout, plus changed ones read through the API when missing there. */
  readonly head: readonly SourceFile[]
  /** The same set at the base: unchanged files as in head, changed and removed ones read at the base commit. */
  readonly base: readonly SourceFile[]
  /** Paths of the manifests the pull request adds, changes, renames or removes. */
  readonly changed: ReadonlySet<string>
  /** Files the pull request changes (GitHub lists at most 3,000). */
  readonly listed: number
}

/** What {@link readChange} needs. */
export interface ReadChangeOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  readonly pull: PullRequestInfo
  readonly workspace: Workspace
  readonly fs: ActionFs
  readonly cwd: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
}

/**
 * Reads what a pull request changes in the manifests: lists its files (paginated, up to 3,000),
 * keeps the YAML ones inside the manifest globs, reads head from the checkout (or the API at
 * the head commit when the checkout lacks it) and base through the API at the base commit
 * (`repos.getContent`), `CONCURRENCY` at a time. Unchanged manifests are the same on both sides,
 * so the base set is the head set with the changed files swapped for their base versions.
 */
export async function readChange(options: ReadChangeOptions): Promise<Change> {
  const { octokit, owner, repo, pull, workspace, fs, cwd } = options
  const retry = { ...(options.clock === undefined ? {} : { clock: options.clock }), ...(options.policy === undefined ? {} : { policy: options.policy }) }
  const files = await listPullRequestFiles({ octokit, owner, repo, pullNumber: pull.number, ...retry })
  const head = new Map(workspace.files)
  const changed = new Set<string>()
  const baseNeeded = new Map<string, string>()
  const selected = (path: string): boolean => workspace.selection.skipReason(path) === undefined
  const relevant = files.filter((f) => selected(f.filename) || (f.previousFilename !== undefined && selected(f.previousFilename)))
  const readAt = (path: string, ref: string): Promise<RepositoryFile | undefined> => readRepositoryFile({ octokit, owner, repo, path, ref, ...retry })
  await forEachLimited(relevant, CONCURRENCY, async (file) => {
    if (file.status === 'removed') {
      baseNeeded.set(file.filename, file.filename)
      return
    }
    let source = head.get(file.filename) ?? (await readManifest(fs, cwd, file.filename, workspace.selection))
    // Only a file missing from the checkout is read through the API (a workflow without checkout).
    const inCheckout = source !== undefined || (await fs.lstat(join(cwd, file.filename)).then(() => true, () => false))
    if (source === undefined && !inCheckout) source = asManifest(file.filename, await readAt(file.filename, pull.headSha), workspace.selection)
    if (source === undefined) return
    head.set(file.filename, source)
    changed.add(file.filename)
    if (file.status !== 'added') baseNeeded.set(file.filename, file.previousFilename ?? file.filename)
  })
  const base = new Map(head)
  for (const path of changed) base.delete(path)
  await forEachLimited([...baseNeeded.values()], CONCURRENCY, async (path) => {
    const source = asManifest(path, await readAt(path, pull.baseSha), workspace.selection)
    if (source === undefined) return
    base.set(path, source)
    changed.add(path)
  })
  const byPath = (a: SourceFile, b: SourceFile): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)
  return { head: [...head.values()].sort(byPath), base: [...base.values()].sort(byPath), changed, listed: files.length }
}

/** A file read through the API, as a source file when it is a manifest (or too big to tell, or not a regular file). */
function asManifest(path: string, file: RepositoryFile | undefined, selection: FileSelection): SourceFile | undefined {
  if (file === undefined) return undefined
  if (file.error !== undefined) return { file: path, error: file.error }
  if (file.bytes === undefined) return { file: path, size: file.size }
  return !selection.sniffs || isPlanSpecDocument(file.bytes) ? { file: path, bytes: file.bytes } : undefined
}

/** Runs `task` over `items`, at most `limit` at a time; the first failure is thrown once all settle. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const failures: unknown[] = []
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T
      next += 1
      await task(item).catch((error: unknown) => failures.push(error))
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failures.length > 0) throw failures[0]
}
