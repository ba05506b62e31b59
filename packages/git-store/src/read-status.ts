import { subjectOf, type Diagnostic, type StatusBranchView, type TamperedFile } from '@planspec/core'
import { gitDiagnostic } from './diagnostic-codes.js'
import { parseLease, type Lease } from './lease-document.js'
import { diffTrees, type TreeFileEntry } from './internal/diff-trees.js'
import { fetchBranches } from './internal/fetch-branches.js'
import { EMPTY_TREE, readBlobBytes, readCommitInfo } from './internal/git-objects.js'
import { checkBranch, openRepository, type RepoContext } from './internal/open-repository.js'
import { readBranchHead } from './internal/read-branch-head.js'
import { rememberBlob } from './internal/remember-blob.js'
import { agentView, tamperedPaths, type TamperedPath } from './internal/status-proof.js'
import type { AgentKeyring } from './agent-key.js'
import { classifyStatusPath, type ParsedStatusBlob } from './internal/status-layout.js'
import type { ResourceIdentity } from './resource-identity.js'
import { parseStatusDocument, type StoredStatus } from './status-document.js'
import { DEFAULT_STATUS_BRANCH, type GitRepository } from './types.js'

/** What one status-branch path holds, kept for the next incremental read. */
export type StatusEntry = { readonly oid: string; readonly parsed: ParsedStatusBlob } | { readonly oid: string; readonly request: true }

/**
 * The status branch at one commit: core's `StatusBranchView` (statuses and leases by subject,
 * unreadable files, tampered files) and what the next incremental read needs.
 */
export interface StatusSnapshot extends StatusBranchView {
  readonly branch: string
  /** The head commit, which is the `resourceVersion` of every status in git mode; undefined when the branch does not exist. */
  readonly head: string | undefined
  readonly exists: boolean
  /** Valid status files, by subject (`kind/namespace/name`). Invalid ones are absent and reported. */
  readonly docs: ReadonlyMap<string, StoredStatus>
  /** Identities persisted in the status files, by subject, for `readDesired({ identities })`. */
  readonly identities: ReadonlyMap<string, ResourceIdentity>
  /** Paths of the request files, sorted (oldest first, ids start with their time); `readRequests` reads them. */
  readonly requestPaths: readonly string[]
  /** Valid leases, by subject of the Execution (`execution/namespace/name`). */
  readonly leases: ReadonlyMap<string, Lease>
  /** Invalid status and lease files and refused entries, by path (the diagnostics' messages, PS7013 aside). */
  readonly problems: ReadonlyMap<string, string>
  /** Invalid files (PS7010, PS7011, PS7012), refused entries (PS7001, PS7002) and tampered files (PS7013). */
  readonly diagnostics: readonly Diagnostic[]
  /**
   * With an agent key: the newest commit at or below the head that an agent proved (undefined when
   * none is); what the snapshot holds (statuses, leases) comes from it, requests from the head.
   */
  readonly verified?: string
  /**
   * With an agent key: status-branch paths (outside `requests/`) that someone who is not an agent
   * changed since `verified`, each with the first commit that did (also reported as PS7013) and the
   * resource whose status file it is. The snapshot ignores their content; the next
   * `writeStatusCommit` with the key writes them back.
   */
  readonly tampered: readonly TamperedFile[]
  /** The root tree the snapshot was read from (the agents' view with a key), for the next incremental read. */
  readonly tree: string | undefined
  readonly entries: ReadonlyMap<string, StatusEntry>
  /** Blobs read (not found in the cache) by this call. */
  readonly blobsRead: number
}

/** Options of {@link readStatus}. */
export interface ReadStatusOptions extends GitRepository {
  /** The status branch; `planspec/status` by default. */
  readonly branch?: string
  /** The snapshot of the previous call: only files that changed are read again. */
  readonly previous?: StatusSnapshot
  /** Fetch the branch first (only with `url`); true by default. */
  readonly fetch?: boolean
  /**
   * The agents' key (DECISIONS §9): only what an agent proved is read (see `verified`,
   * `tampered`). Without it the branch is read as it is (people's commands, for display).
   */
  readonly agentKey?: AgentKeyring
}

/**
 * Reads the status branch: each resource's status file (`<namespace>/<plural>/<name>.yaml`), the
 * list of request files and the leases. A file that is not what the agent writes (garbage edited
 * by hand, a wrong kind, a link) is reported (PS7010-PS7012, PS7001/PS7002) and treated as
 * absent: it never makes this throw. A missing branch gives an empty snapshot (`exists: false`);
 * the next `writeStatusCommit` recreates it. Incremental with `previous`: unchanged subtrees are
 * skipped and parsed files are cached by blob id. With `agentKey`, content no agent wrote is
 * never read: statuses and leases come from the newest commit an agent proved, request paths
 * from the head, and every path changed by someone else is listed in `tampered` (PS7013).
 *
 * @example
 * const status = await readStatus({ fs, http, dir, url, cache })
 * status.docs.get('execution/default/release-1')?.status.phase
 */
export async function readStatus(options: ReadStatusOptions): Promise<StatusSnapshot> {
  const context = await openRepository(options)
  const branch = checkBranch(options.branch ?? DEFAULT_STATUS_BRANCH)
  if (context.remote && options.fetch !== false) await fetchBranches(context, [{ name: branch, required: false }])
  const head = await readBranchHead(context, branch, false)
  const previous = options.previous?.branch === branch ? options.previous : undefined
  if (head === undefined) return snapshot(branch, undefined, undefined, new Map(), 0, undefined, [])
  if (previous && previous.head === head) return { ...previous, blobsRead: 0 }
  let tree = (await readCommitInfo(context, head)).tree
  let verified: string | undefined
  let tampered: TamperedPath[] = []
  if (options.agentKey) {
    const view = await agentView(context, options.agentKey, branch, head)
    verified = view.verified
    tampered = await tamperedPaths(context, view)
    tree = view.tree ?? EMPTY_TREE
  }
  const entries = new Map<string, StatusEntry>(previous?.tree === undefined ? [] : previous.entries)
  const pending: TreeFileEntry[] = []
  await diffTrees(
    context,
    previous?.tree,
    tree,
    {
      file(entry) {
        const place = classifyStatusPath(entry.path)
        if (place.type === 'request' && entry.type === 'blob') entries.set(entry.path, { oid: entry.oid, request: true })
        else if (place.type === 'other') entries.delete(entry.path)
        else pending.push(entry)
      },
      remove: (path) => entries.delete(path),
      removeDir(path) {
        for (const key of [...entries.keys()]) if (key.startsWith(`${path}/`)) entries.delete(key)
      },
      refuse: (path, code, message) => entries.set(path, { oid: '', parsed: { type: 'invalid', diagnostic: gitDiagnostic(code, path, message) } }),
    },
    { trees: 0 },
  )
  let blobsRead = 0
  for (const entry of pending) {
    const parsed = await parseEntry(context, entry, () => blobsRead++)
    entries.set(entry.path, { oid: entry.oid, parsed })
  }
  return snapshot(branch, head, tree, entries, blobsRead, verified, tampered)
}

async function parseEntry(context: RepoContext, entry: TreeFileEntry, onRead: () => void): Promise<ParsedStatusBlob> {
  const place = classifyStatusPath(entry.path)
  if (entry.type !== 'blob') {
    const code = place.type === 'lease' ? 'PS7012' : place.type === 'request' ? 'PS7011' : 'PS7010'
    return { type: 'invalid', diagnostic: gitDiagnostic(code, entry.path, `${entry.path} is not a regular file (mode ${entry.mode}); it was not read and is treated as absent`) }
  }
  const key = `${entry.oid}:${entry.path}`
  const cache = context.cache
  const cached = cache.statusBlobs.get(key)
  if (cached) return cached
  onRead()
  const bytes = await readBlobBytes(context, entry.oid)
  const parsed = place.type === 'lease' ? parseLease(entry.path, bytes, place) : place.type === 'status' ? parseStatusDocument(entry.path, bytes, entry.oid, place) : undefined
  if (!parsed) return { type: 'invalid', diagnostic: gitDiagnostic('PS7010', entry.path, `${entry.path} is not part of the status layout`) }
  rememberBlob(cache.statusBlobs, cache.maxBlobs, key, parsed)
  return parsed
}

function snapshot(branch: string, head: string | undefined, tree: string | undefined, entries: ReadonlyMap<string, StatusEntry>, blobsRead: number, verified: string | undefined, changed: readonly TamperedPath[]): StatusSnapshot {
  const docs = new Map<string, StoredStatus>()
  const identities = new Map<string, ResourceIdentity>()
  const leases = new Map<string, Lease>()
  const requestPaths: string[] = []
  const diagnostics: Diagnostic[] = []
  for (const path of [...entries.keys()].sort()) {
    const entry = entries.get(path)!
    if ('request' in entry) {
      requestPaths.push(path)
      continue
    }
    const parsed = entry.parsed
    if (parsed.type === 'invalid') diagnostics.push(parsed.diagnostic)
    else if (parsed.type === 'lease') leases.set(subjectOf('Execution', parsed.value.namespace, parsed.value.name), parsed.value)
    else {
      docs.set(parsed.value.subject, parsed.value)
      if (parsed.value.identity) identities.set(parsed.value.subject, parsed.value.identity)
    }
  }
  const problems = new Map(diagnostics.filter((d) => d.file !== undefined).map((d) => [d.file!, d.message]))
  const tampered = changed.map((t): TamperedFile => {
    const place = classifyStatusPath(t.path)
    return { path: t.path, commit: t.commit, ...(place.type === 'status' ? { subject: subjectOf(place.kind, place.namespace, place.name) } : {}) }
  })
  for (const t of tampered) diagnostics.push(gitDiagnostic('PS7013', t.path, `${t.path} was changed by commit ${t.commit.slice(0, 12)}, which no agent wrote; its content is ignored and the agents' last version is written back`))
  return { branch, head, exists: head !== undefined, docs, identities, requestPaths, leases, problems, diagnostics, tree, entries, blobsRead, ...(verified === undefined ? {} : { verified }), tampered }
}
