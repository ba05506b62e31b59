import { formatObjectKey } from '@planspec/core'
import git from 'isomorphic-git'
import { GitInvalidInputError } from './errors.js'
import { systemClock } from './internal/system-clock.js'
import { buildCommit, publishCommit } from './internal/commit-to-branch.js'
import { readBlobBytes, readCommitInfo, type RawTreeEntry } from './internal/git-objects.js'
import { checkStatusBranch, openRepository } from './internal/open-repository.js'
import { readBranchHead } from './internal/read-branch-head.js'
import { leasePath, statusPath } from './internal/status-layout.js'
import { isRecord } from './internal/parse-document.js'
import { entryAtPath } from './internal/update-tree.js'
import { agentView, proveStatusTree, STATUS_PROOF_TRAILER } from './internal/status-proof.js'
import type { AgentKeyring } from './agent-key.js'
import { executionLogsDir, logBlobPath, type LogBlob } from './execution-logs.js'
import { leaseProblem, renderLease, type LeaseChange } from './lease-document.js'
import { parseStatusDocument, renderStatusDocument, type StatusChange, type StatusUpdate } from './status-document.js'
import { AGENT_IDENTITY, DEFAULT_STATUS_BRANCH, type GitIdentity, type GitRepository } from './types.js'

/** Options of {@link writeStatusCommit}. */
export interface WriteStatusCommitOptions extends GitRepository {
  /** The status branch; `planspec/status` by default. */
  readonly branch?: string
  /** The tracked branch, which this never writes (refused as `branch`); `main` by default. */
  readonly trackedBranch?: string
  readonly changes: readonly StatusChange[]
  /**
   * Leases written in the same commit (taken, renewed or dropped by this reconcile round), so a
   * lease and the statuses it guards move together through one compare-and-swap push.
   */
  readonly leases?: readonly LeaseChange[]
  /**
   * Attempt logs written in the same commit as the statuses that reference them (one blob per
   * attempt and stream, see `logBlobPath`), so the agents' proof covers them. An Execution's
   * logs go with its status file: a deleted Execution's `logs/<namespace>/<name>` goes too.
   */
  readonly logs?: readonly LogBlob[]
  /** The tracked revision this reconcile round read: the `PlanSpec-Source` trailer. */
  readonly sourceRevision: string
  /** First line(s) of the commit message; a summary by default. */
  readonly message?: string
  /**
   * The status head the changes were computed on (`readStatus(...).head`; null when the
   * branch did not exist). The push succeeds only if the remote is still there (CAS). By default
   * the head as last fetched.
   */
  readonly base?: string | null
  readonly author?: GitIdentity
  /** Clock, milliseconds since the epoch; the system clock by default. */
  readonly now?: () => number
  /**
   * The agents' key (DECISIONS §9): the changes apply to the agents' view of the branch (what an
   * agent proved, plus the head's requests), so anything someone else wrote there is written
   * back, and the commit carries the `PlanSpec-Agent-Proof` trailer.
   */
  readonly agentKey?: AgentKeyring
}

/** The outcome of {@link writeStatusCommit}. */
export interface StatusCommitResult {
  /** `committed`: one new commit was pushed; `unchanged`: nothing differed, nothing was written. */
  readonly outcome: 'committed' | 'unchanged'
  /** The status head after the call (the new commit, or the unchanged head). */
  readonly commit: string | undefined
  /** The status files written or removed. */
  readonly paths: readonly string[]
}

const SHA = /^[0-9a-f]{40}$/

/**
 * Writes one reconcile round's status changes as ONE commit on the status branch (DECISIONS §6),
 * with plumbing (no index), and pushes it with compare-and-swap. A status file is rewritten only
 * when its content changes; a different `sourceRevision` alone does not count, so a new tracked
 * revision with the same statuses commits nothing. Nothing to write returns `unchanged`. A
 * missing status branch is recreated with an orphan commit. The message ends with the trailer
 * `PlanSpec-Source: <sha>`. Attempt logs (`logs`) are blobs of the same commit; a deleted
 * Execution's logs are removed with its status. The tracked branch is never written. With `agentKey`, the commit is
 * built on the agents' view of the branch and proven (trailer `PlanSpec-Agent-Proof`): a file
 * someone else changed is restored even when no change names it.
 *
 * Throws `StatusConflictError` (`PLANSPEC_ERR_GIT_CONFLICT`) when the branch moved since `base`:
 * re-fetch (`readStatus`), re-reconcile and call again. Other failures are the coded errors of
 * `fetchRemote`; `PLANSPEC_ERR_GIT_INVALID_INPUT` for a malformed change.
 *
 * @example
 * const status = await readStatus({ fs, http, dir, url })
 * await writeStatusCommit({ fs, http, dir, url, base: status.head ?? null, sourceRevision: desired.revision,
 *   changes: [{ kind: 'Plan', namespace: 'default', name: 'release', observedGeneration: 1, status: { phase: 'Ready' } }] })
 */
export async function writeStatusCommit(options: WriteStatusCommitOptions): Promise<StatusCommitResult> {
  const context = await openRepository(options)
  const branch = checkStatusBranch(options.branch ?? DEFAULT_STATUS_BRANCH, options.trackedBranch)
  if (!SHA.test(options.sourceRevision)) throw new GitInvalidInputError('sourceRevision must be a full commit id', { data: { field: 'sourceRevision' } })
  const head = options.base !== undefined ? (options.base ?? undefined) : await readBranchHead(context, branch, false)
  const headTree = head === undefined ? undefined : (await readCommitInfo(context, head)).tree
  const keyring = options.agentKey
  const tree = keyring ? (await agentView(context, keyring, branch, head)).tree : headTree
  const trees = new Map<string, readonly RawTreeEntry[]>()
  const changes = new Map<string, Uint8Array | null>()
  const paths = new Set<string>()
  for (const change of options.changes) {
    const path = statusPath(change)
    if (paths.has(path)) throw new GitInvalidInputError(`two changes for ${formatObjectKey(change)}`, { data: { field: 'changes' } })
    if (!('delete' in change) && !isRecord(change.status)) throw new GitInvalidInputError(`the status of ${formatObjectKey(change)} must be a mapping`, { data: { field: 'changes' } })
    paths.add(path)
  }
  // Changes are judged a batch at a time (reads of existing files overlap); order is kept.
  for (let i = 0; i < options.changes.length; i += 32) {
    const batch = options.changes.slice(i, i + 32)
    const judged = await Promise.all(
      batch.map(async (change) => {
        const path = statusPath(change)
        const existing = await entryAtPath(context, tree, path, trees)
        if ('delete' in change) return [path, existing ? null : undefined] as const
        return [path, await statusContent(context, change, path, existing, options.sourceRevision)] as const
      }),
    )
    for (const [path, content] of judged) if (content !== undefined) changes.set(path, content)
  }
  for (const change of options.leases ?? []) {
    const path = leasePath(change.namespace, change.name)
    if (paths.has(path)) throw new GitInvalidInputError(`two lease changes for execution/${change.namespace}/${change.name}`, { data: { field: 'leases' } })
    paths.add(path)
    const existing = await entryAtPath(context, tree, path, trees)
    if (change.lease === null) {
      if (existing) changes.set(path, null)
      continue
    }
    const problem = leaseProblem(change.lease, change)
    if (problem) throw new GitInvalidInputError(`invalid lease: ${problem}`, { data: { field: 'leases' } })
    const bytes = Buffer.from(renderLease(change.lease))
    if (existing?.type !== 'blob' || (await git.hashBlob({ object: bytes })).oid !== existing.oid) changes.set(path, bytes)
  }
  for (const log of options.logs ?? []) {
    const path = logBlobPath(log)
    const bytes = Buffer.from(log.text)
    const existing = await entryAtPath(context, tree, path, trees)
    if (existing?.type !== 'blob' || (await git.hashBlob({ object: bytes })).oid !== existing.oid) changes.set(path, bytes)
  }
  for (const change of options.changes) {
    if (!('delete' in change) || change.kind !== 'Execution') continue
    const dir = executionLogsDir(change.namespace, change.name)
    if (await entryAtPath(context, tree, dir, trees)) changes.set(dir, null)
  }
  if (changes.size === 0 && tree === headTree) return { outcome: 'unchanged', commit: head, paths: [] }
  const message = `${options.message ?? `planspec: status of ${changes.size} resource${changes.size === 1 ? '' : 's'}`}\n\nPlanSpec-Source: ${options.sourceRevision}\n`
  const who = options.author ?? AGENT_IDENTITY
  const commit = await buildCommit(context, {
    base: head,
    changes,
    message,
    author: who,
    committer: who,
    time: (options.now ?? systemClock)(),
    ...(keyring ? { from: { tree }, trailers: async (next: string, parents: readonly string[]) => [[STATUS_PROOF_TRAILER, await proveStatusTree(context, keyring, branch, parents, next)] as const] } : {}),
  })
  if (commit === undefined) return { outcome: 'unchanged', commit: head, paths: [] }
  await publishCommit(context, branch, head, commit)
  return { outcome: 'committed', commit, paths: [...changes.keys()] }
}

/**
 * Returns the bytes to write for `update`, or undefined when the file already says the same
 * (ignoring `sourceRevision`).
 */
async function statusContent(context: Awaited<ReturnType<typeof openRepository>>, update: StatusUpdate, path: string, existing: RawTreeEntry | undefined, sourceRevision: string): Promise<Uint8Array | undefined> {
  const wanted: StatusUpdate = { ...update, sourceRevision: update.sourceRevision ?? sourceRevision }
  const bytes = Buffer.from(renderStatusDocument(wanted))
  if (!existing || existing.type !== 'blob') return bytes
  if ((await git.hashBlob({ object: bytes })).oid === existing.oid) return undefined
  const parsed = parseStatusDocument(path, await readBlobBytes(context, existing.oid), existing.oid, update)
  if (parsed.type !== 'status' || parsed.value.sourceRevision === undefined) return bytes
  const same = Buffer.from(renderStatusDocument({ ...wanted, sourceRevision: parsed.value.sourceRevision }))
  return (await git.hashBlob({ object: same })).oid === existing.oid ? undefined : bytes
}
