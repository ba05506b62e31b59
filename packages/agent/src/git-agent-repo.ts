import git from 'isomorphic-git'
import {
  appendRequest,
  readDesired,
  readRequests,
  readStatus,
  writeStatusCommit,
  type DesiredState,
  type GitIdentity,
  type GitRepository,
  type Lease as GitLease,
  type RequestRecord,
  type ResourceIdentity,
  type StatusChange,
  type StatusSnapshot as GitStatusSnapshot,
} from '@planspec/git-store'
import type { AgentRepo, AgentRequest, DesiredItem, DesiredSnapshot, Lease, StatusDoc, StatusSnapshot } from './types.js'

/** Where the agent's repository is and how to write to it. */
export interface GitAgentRepoOptions extends GitRepository {
  /** The tracked branch (default `main`). */
  readonly branch?: string
  /** The status branch (default `planspec/status`). */
  readonly statusBranch?: string
  /** The identity of status commits and of requests made from this process. */
  readonly author?: GitIdentity
  readonly now?: () => number
}

/** The git repository as the agent uses it, plus the reads the agent's commands need. */
export interface GitAgentRepo extends AgentRepo {
  /** The author of a commit, cached (the change author of an Execution). */
  commitAuthor(revision: string): Promise<{ readonly name: string; readonly email: string } | undefined>
  /** The desired state at an older revision (an Execution keeps the spec it started with). */
  desiredAt(revision: string): Promise<DesiredSnapshot>
}

/** Where the agent keeps its own bookkeeping inside an Execution status. */
export const AGENT_EXTENSION = 'io.planspec.agent'

/**
 * Adapts the git store to the agent's repository port: incremental reads of the tracked branch
 * (last known good kept for invalid files), the status branch with its leases and request files
 * (the actor of a request is its commit author), and compare-and-swap status commits that carry
 * status documents and leases together.
 *
 * @example
 * const repo = gitAgentRepo({ fs, http, dir: cacheDir, url: 'https://git.example.com/plans.git' })
 * const desired = await repo.readDesired()
 */
export function gitAgentRepo(options: GitAgentRepoOptions): GitAgentRepo {
  const statusBranch = options.statusBranch ?? 'planspec/status'
  const branch = options.branch ?? 'main'
  let desiredState: DesiredState | undefined
  let statusState: GitStatusSnapshot | undefined
  let requestRecords: RequestRecord[] = []
  let requestsRevision: string | undefined
  const authors = new Map<string, { name: string; email: string } | undefined>()
  const older = new Map<string, DesiredSnapshot>()
  const repo: GitRepository = options

  return {
    async readDesired() {
      desiredState = await readDesired({ ...repo, branch, ...(desiredState ? { previous: desiredState } : {}), ...(statusState ? { identities: statusState.identities } : {}) })
      return toSnapshot(desiredState)
    },
    async readStatus() {
      statusState = await readStatus({ ...repo, branch: statusBranch, ...(statusState ? { previous: statusState } : {}) })
      if (statusState.revision !== requestsRevision) {
        // Request files are append-only: read only the commits since the last read.
        const log = await readRequests({ ...repo, branch: statusBranch, fetch: false, ...(requestsRevision ? { since: requestsRevision } : {}) })
        const known = new Set(requestRecords.map((r) => r.id))
        requestRecords = [...requestRecords, ...log.requests.filter((r) => !known.has(r.id))]
        requestsRevision = statusState.revision
      }
      return toStatus(statusState, requestRecords)
    },
    async writeStatus(write, expectedHead) {
      const changes: StatusChange[] = []
      for (const [, doc] of write.docs) {
        if (doc === null) continue
        changes.push({
          kind: doc.kind,
          namespace: doc.namespace,
          name: doc.name,
          ...(doc.observedGeneration === undefined ? {} : { observedGeneration: doc.observedGeneration }),
          ...identityOf(`${doc.kind.toLowerCase()}/${doc.namespace}/${doc.name}`, desiredState, statusState),
          ...(doc.sourceRevision === undefined ? {} : { sourceCommit: doc.sourceRevision }),
          status: withAgentExtension(doc),
        })
      }
      for (const [subject, doc] of write.docs) {
        if (doc !== null) continue
        const [kind, namespace, name] = subject.split('/') as [string, string, string]
        changes.push({ kind: kind.charAt(0).toUpperCase() + kind.slice(1), namespace, name, delete: true })
      }
      const leases = [...write.leases].map(([subject, lease]) => {
        const [, namespace, name] = subject.split('/') as [string, string, string]
        return { namespace, name, lease: lease === null ? null : toGitLease(namespace, name, lease, statusState?.leases.get(`${namespace}/${name}`)) }
      })
      const result = await writeStatusCommit({ ...repo, branch: statusBranch, base: expectedHead ?? null, sourceRevision: write.sourceRevision, message: write.message, changes, leases, ...(options.author ? { author: options.author } : {}), ...(options.now ? { now: options.now } : {}) })
      return { outcome: result.outcome, head: result.commit }
    },
    async appendRequest(request, author) {
      const result = await appendRequest({
        ...repo,
        branch: statusBranch,
        author,
        request: {
          action: request.action as 'approve',
          target: { kind: request.target.kind, namespace: request.target.namespace, name: request.target.name },
          ...(request.target.node === undefined ? {} : { node: request.target.node }),
          by: `email:${author.email}`,
          ...(request.comment === undefined ? {} : { comment: request.comment }),
          ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
          ...(request.targetGeneration === undefined ? {} : { generation: request.targetGeneration }),
        },
        ...(options.now ? { now: options.now } : {}),
      })
      return result.id
    },
    async commitAuthor(revision) {
      if (!authors.has(revision)) {
        const found = await git.readCommit({ fs: options.fs, dir: options.dir, gitdir: await gitdirOf(options), oid: revision }).then((c) => ({ name: c.commit.author.name, email: c.commit.author.email })).catch(() => undefined)
        authors.set(revision, found)
      }
      return authors.get(revision)
    },
    async desiredAt(revision) {
      const cached = older.get(revision)
      if (cached) return cached
      const snapshot = toSnapshot(await readDesired({ ...repo, branch, revision, fetch: false, ...(statusState ? { identities: statusState.identities } : {}) }))
      older.set(revision, snapshot)
      return snapshot
    },
  }
}

/** The gitdir of a repository: a bare cache, or `.git` of a work tree. */
async function gitdirOf(options: GitAgentRepoOptions): Promise<string> {
  const fs = options.fs as unknown as { promises: { stat(path: string): Promise<unknown> } }
  return fs.promises.stat(`${options.dir}/.git`).then(() => `${options.dir}/.git`, () => options.dir)
}

function toSnapshot(state: DesiredState): DesiredSnapshot {
  const items = new Map<string, DesiredItem>()
  for (const [subject, r] of state.resources) {
    items.set(subject, {
      subject,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      file: r.file,
      object: r.object as unknown as Record<string, unknown>,
      generation: r.identity.generation,
      sourceValid: !r.lastKnownGood,
      ...(r.lastKnownGood && r.condition.message ? { sourceMessage: r.condition.message } : {}),
      introducedIn: r.identity.introducedIn,
    })
  }
  return { revision: state.revision, unchanged: state.unchanged, items, diagnostics: state.diagnostics, historyRewritten: state.historyRewritten }
}

function toStatus(state: GitStatusSnapshot, records: readonly RequestRecord[]): StatusSnapshot {
  const docs = new Map<string, StatusDoc>()
  for (const [subject, d] of state.documents) {
    const status = d.status as Record<string, unknown>
    const agent = ((status.extensions as Record<string, unknown> | undefined)?.[AGENT_EXTENSION] ?? {}) as { runRevision?: string; appliedRequests?: string[] }
    docs.set(subject, {
      kind: d.kind,
      namespace: d.namespace,
      name: d.name,
      ...(d.identity ? { uid: d.identity.uid } : {}),
      ...(d.observedGeneration === undefined ? {} : { observedGeneration: d.observedGeneration }),
      ...(d.sourceCommit === undefined ? {} : { sourceRevision: d.sourceCommit }),
      ...(agent.runRevision ? { runRevision: agent.runRevision } : {}),
      ...(agent.appliedRequests ? { appliedRequests: agent.appliedRequests } : {}),
      status: withoutAgentExtension(status),
    })
  }
  const leases = new Map<string, Lease>()
  for (const [key, lease] of state.leases) leases.set(`execution/${key}`, { holder: lease.holder, expiresAt: Date.parse(lease.expiresAt) })
  const requests: AgentRequest[] = records.map((r) => ({
    id: r.id,
    action: r.request.action,
    target: { ...r.request.target, ...(r.request.node === undefined ? {} : { node: r.request.node }) },
    ...(r.request.comment === undefined ? {} : { comment: r.request.comment }),
    ...(r.request.outputs === undefined ? {} : { outputs: r.request.outputs }),
    ...(r.request.action === 'retry' && r.request.node !== undefined ? { nodes: [r.request.node] } : {}),
    ...(r.request.generation === undefined ? {} : { targetGeneration: r.request.generation }),
    author: { name: r.author.name, email: r.author.email },
    time: new Date(r.author.timestamp * 1000).toISOString(),
  }))
  const problems = new Map(state.diagnostics.map((d) => [d.file, d.message]))
  return { ...(state.revision ? { head: state.revision } : {}), docs, requests, leases, problems }
}

/** Keeps the agent's bookkeeping (run revision, applied requests) inside the status extensions. */
function withAgentExtension(doc: StatusDoc): Record<string, unknown> {
  const status = { ...(doc.status as Record<string, unknown>) }
  if (doc.runRevision === undefined && doc.appliedRequests === undefined) return status
  const extensions = { ...(status.extensions as Record<string, unknown> | undefined), [AGENT_EXTENSION]: { ...(doc.runRevision ? { runRevision: doc.runRevision } : {}), ...(doc.appliedRequests ? { appliedRequests: [...doc.appliedRequests] } : {}) } }
  return { ...status, extensions }
}

function withoutAgentExtension(status: Record<string, unknown>): Record<string, unknown> {
  const extensions = status.extensions as Record<string, unknown> | undefined
  if (extensions === undefined || !(AGENT_EXTENSION in extensions)) return status
  const { [AGENT_EXTENSION]: _agent, ...rest } = extensions
  return Object.keys(rest).length === 0 ? Object.fromEntries(Object.entries(status).filter(([k]) => k !== 'extensions')) : { ...status, extensions: rest }
}

/** The identity to persist with a status: the desired state's (current generation), else the one stored. */
function identityOf(subject: string, desired: DesiredState | undefined, status: GitStatusSnapshot | undefined): { identity?: ResourceIdentity } {
  const identity = desired?.resources.get(subject)?.identity ?? status?.identities.get(subject)
  return identity ? { identity } : {}
}

function toGitLease(namespace: string, name: string, lease: Lease, previous: GitLease | undefined): GitLease {
  const now = new Date().toISOString()
  const sameHolder = previous?.holder === lease.holder
  return {
    namespace,
    name,
    holder: lease.holder,
    epoch: sameHolder ? previous.epoch : (previous?.epoch ?? 0) + 1,
    acquiredAt: sameHolder ? previous.acquiredAt : now,
    renewedAt: now,
    expiresAt: new Date(lease.expiresAt).toISOString(),
  }
}
