import type { Diagnostic, RepositoryConfig } from '@planspec/core'
import { createValidator, parseRepositoryConfig } from '@planspec/validator'
import { gitDiagnostic } from './diagnostic-codes.js'
import type { DesiredChanges, DesiredState, ReadDesiredOptions, ReadDesiredStats } from './desired-state.js'
import { fetchBranches } from './internal/fetch-branches.js'
import { isAncestor, readBlobBytes, readCommitInfo, readRawTree } from './internal/git-objects.js'
import { mergeDesired } from './internal/merge-desired.js'
import { checkBranch, openRepository, type RepoContext } from './internal/open-repository.js'
import { readBranchHead } from './internal/read-branch-head.js'
import { candidateFilter, CONFIG_FILE } from './internal/repository-config.js'
import { scanDesired, type ScanCounters } from './internal/scan-desired.js'

const NO_CHANGES: DesiredChanges = Object.freeze({ added: [], modified: [], removed: [] })
const NO_WORK: ReadDesiredStats = Object.freeze({ treesRead: 0, blobsRead: 0, blobsParsed: 0, cacheHits: 0, pathsChanged: 0 })

/**
 * Reads the desired state: the PlanSpec manifests on the tracked branch (DECISIONS §6), validated
 * file by file, with git-mode metadata (uid, generation, creationTimestamp) on every resource.
 *
 * - **Which files**: the `paths` globs of `.planspec.yaml` (minus `exclude`), every one validated
 *   as a manifest; by default the whole tree's `*.yaml|*.yml` whose content names a
 *   `planspec.io/` apiVersion.
 * - **Incremental**: with `previous`, the same revision returns at once (`unchanged`); another
 *   revision diffs the two trees, skipping subtrees with equal ids, and re-validates only blobs
 *   the cache has not seen (`stats` tells). A previous revision that is not an ancestor (a
 *   force-push) or a changed config makes a full read, reported (PS7004).
 * - **Last known good**: an invalid file never stops the others; the last valid version of its
 *   resources stays in effect with condition `SourceValid=False` and a PS7006 diagnostic.
 * - **Hostile trees**: objects are read from the object database only, never through a work
 *   tree; symbolic links (PS7001) and unsafe names (PS7002: `..`, `.git`, separators, control
 *   characters) are refused and reported, and nothing outside the repository is ever opened.
 * - Cross-file references are not checked here (a full-repository `validate` does that); two
 *   files defining one resource are reported (PS4002).
 *
 * With `url`, fetches the branch first (a cheap ref check when nothing changed). Throws the coded
 * errors of `fetchRemote`, and `PLANSPEC_ERR_GIT_BRANCH_NOT_FOUND` when the branch is missing.
 *
 * @example
 * const cache = createGitStoreCache()
 * let desired = await readDesired({ fs, http, dir, url, cache })
 * desired = await readDesired({ fs, http, dir, url, cache, previous: desired })
 * for (const subject of desired.changed.modified) console.log(subject, desired.resources.get(subject)?.identity.generation)
 */
export async function readDesired(options: ReadDesiredOptions): Promise<DesiredState> {
  const context = await openRepository(options)
  const branch = checkBranch(options.branch ?? 'main')
  if (context.remote && options.fetch !== false && options.revision === undefined) await fetchBranches(context, [{ name: branch, required: true }])
  const revision = options.revision ?? (await readBranchHead(context, branch, true))
  const previous = options.previous?.branch === branch ? options.previous : undefined
  if (previous && previous.revision === revision) return { ...previous, changed: NO_CHANGES, unchanged: true, stats: NO_WORK }
  const commit = await readCommitInfo(context, revision)
  const commitTime = new Date(commit.time * 1000).toISOString()
  const rewritten = previous !== undefined && !(await isAncestor(context, previous.revision, revision))
  const config = await readConfig(context, commit.tree, previous)
  const full = previous === undefined || rewritten || config.blob !== previous.configBlob
  const counters: ScanCounters = { trees: 0, blobsRead: 0, blobsParsed: 0, cacheHits: 0, pathsChanged: 0 }
  const identities = options.identities
  const paths = await scanDesired(
    {
      context,
      tree: commit.tree,
      baseTree: full ? undefined : previous.tree,
      previousPaths: previous?.paths,
      filter: candidateFilter(config.config),
      namespace: config.config.namespace,
      options: options.validate ?? {},
      validator: options.validator ?? (context.cache.validator ??= createValidator()),
      stamp: { revision, commitTime, identityOf: (subject) => previous?.resources.get(subject)?.identity ?? identities?.get(subject) },
      ...(options.validationWorkers ? { workers: options.validationWorkers } : {}),
    },
    counters,
  )
  const merged = mergeDesired(paths, previous?.resources)
  const diagnostics: Diagnostic[] = [...config.diagnostics, ...merged.diagnostics]
  if (rewritten) {
    diagnostics.unshift(gitDiagnostic('PS7004', `refs/heads/${branch}`, `branch ${branch} was rewritten: ${previous.revision.slice(0, 12)} is not an ancestor of ${revision.slice(0, 12)}; the whole tree was read again`))
  }
  return {
    branch,
    revision,
    tree: commit.tree,
    commitTime,
    resources: merged.resources,
    diagnostics,
    changed: merged.changed,
    unchanged: false,
    fullRead: full,
    historyRewritten: rewritten,
    config: config.config,
    stats: { treesRead: counters.trees, blobsRead: counters.blobsRead, blobsParsed: counters.blobsParsed, cacheHits: counters.cacheHits, pathsChanged: counters.pathsChanged },
    paths,
    configBlob: config.blob,
    configDiagnostics: config.diagnostics,
  }
}

interface ConfigRead {
  readonly config: RepositoryConfig
  readonly blob: string | undefined
  readonly diagnostics: readonly Diagnostic[]
}

/**
 * Reads `.planspec.yaml` from the root tree. An unusable one (invalid, or a link) is reported
 * and the previous config stays in effect (the defaults on a first read).
 */
async function readConfig(context: RepoContext, tree: string, previous: DesiredState | undefined): Promise<ConfigRead> {
  const entry = (await readRawTree(context, tree)).find((e) => e.name === CONFIG_FILE)
  if (!entry) return { config: {}, blob: undefined, diagnostics: [] }
  const blob = `${entry.mode}:${entry.oid}`
  if (previous && previous.configBlob === blob) return { config: previous.config, blob, diagnostics: previous.configDiagnostics }
  const fallback = previous?.config ?? {}
  if (entry.type !== 'blob') {
    return { config: fallback, blob, diagnostics: [gitDiagnostic('PS7001', CONFIG_FILE, `${CONFIG_FILE} is not a regular file (mode ${entry.mode}); it was not read, the previous config stays in effect`)] }
  }
  const parsed = parseRepositoryConfig(await readBlobBytes(context, entry.oid))
  if ('error' in parsed) return { config: fallback, blob, diagnostics: [gitDiagnostic('PS7005', CONFIG_FILE, `${CONFIG_FILE}: ${parsed.error}; the previous config stays in effect`)] }
  return { config: parsed.config, blob, diagnostics: [] }
}
