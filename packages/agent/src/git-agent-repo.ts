import git from 'isomorphic-git'
import {
  allowedSignerPrincipals,
  appendRequest,
  classifyStatusPath,
  findIntroducingCommit,
  isReachable,
  readDesired,
  readTrackedFile,
  verifySshSignature,
  type AgentKeyring,
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
import { subjectOf } from '@planspec/core'
import { authenticateRequest, type RequestIdentity } from './authenticate-request.js'
import { reviewerOf } from './reviewer-of.js'
import type { AgentRepo, AgentRequest, AgentTrust, ChangeAuthor, DesiredItem, DesiredSnapshot, Lease, StatusDoc, StatusSnapshot, TamperedFile } from './types.js'

/** Where the agent's repository is and how to write to it. */
export interface GitAgentRepoOptions extends GitRepository {
  /** The tracked branch (default `main`). */
  readonly branch?: string
  /** The status branch (default `planspec/status`). */
  readonly statusBranch?: string
  /** The identity of status commits and of requests made from this process. */
  readonly author?: GitIdentity
  readonly now?: () => number
  /**
   * The agents' key (DECISIONS §9). With it the repository is read and written as an agent: only
   * proven status is read (tampered files are reported), status commits are proven, requests are
   * authenticated (signed by an allowed signer, or attested by an agent), and requests this
   * process records (GitHub comment commands) are attested. Without it (people's commands) the
   * status branch is read as it is and requests are not authenticated.
   */
  readonly agentKey?: AgentKeyring
  /** `--allow-unsigned-requests`: requests not signed by an allowed signer count for their commit author. */
  readonly allowUnsignedRequests?: boolean
  /** The allowed-signers file on the tracked branch; `.planspec/allowed-signers` by default. */
  readonly allowedSignersPath?: string
  /** The ssh-keygen program (git's `gpg.ssh.program`). */
  readonly sshProgram?: string
}

/** Who may sign requests, from the tracked branch's allowed-signers file. */
export interface RequestSigners {
  /** The file's text; undefined when it is absent or refused. */
  readonly text: string | undefined
  /** Its literal principals as reviewer subjects: the people with write access (DECISIONS §9). */
  readonly writers: readonly string[]
  /** Why the file was not read (too large, a link, not text). */
  readonly problem?: string
}

/** The default place of the allowed-signers file on the tracked branch. */
export const ALLOWED_SIGNERS_PATH = '.planspec/allowed-signers'

/** The git repository as the agent uses it, plus the reads the agent's commands need. */
export interface GitAgentRepo extends AgentRepo, AgentTrust {
  /** The author of a commit, cached (the change author of an Execution). */
  commitAuthor(revision: string): Promise<{ readonly name: string; readonly email: string } | undefined>
  /** The desired state at an older revision (an Execution keeps the spec it started with). */
  desiredAt(revision: string): Promise<DesiredSnapshot>
  /**
   * The author of the change that created a resource (DECISIONS §9): the commit that added it to
   * the tracked branch (through merges, unchanged by later commits), its signer when an allowed
   * signer signed it, else its author. Cached per resource. Undefined when history cannot tell.
   */
  changeAuthor(item: DesiredItem): Promise<ChangeAuthor | undefined>
  /** Tells whether a commit is in the tracked branch's history (as last read). */
  reachable(revision: string): Promise<boolean>
  /** The allowed signers of the tracked branch as last read. */
  signers(): Promise<RequestSigners>
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
  let requestRecords: AuthenticatedRecord[] = []
  let requestsRevision: string | undefined
  const authors = new Map<string, { name: string; email: string } | undefined>()
  const changeAuthors = new Map<string, Promise<ChangeAuthor | undefined>>()
  const older = new Map<string, DesiredSnapshot>()
  const signersAt = new Map<string, Promise<RequestSigners>>()
  const repo: GitRepository = options
  const keyring = options.agentKey
  const signers = (): Promise<RequestSigners> => {
    const revision = desiredState?.revision
    if (revision === undefined) return Promise.resolve({ text: undefined, writers: [] })
    let found = signersAt.get(revision)
    if (found === undefined) {
      found = readTrackedFile({ ...repo, revision, path: options.allowedSignersPath ?? ALLOWED_SIGNERS_PATH }).then((file) => ({
        text: file.text,
        writers: file.text === undefined ? [] : allowedSignerPrincipals(file.text).filter((p) => p.includes('@')).map((email) => reviewerOf({ email })),
        ...(file.diagnostic ? { problem: file.diagnostic.message } : {}),
      }))
      signersAt.clear()
      signersAt.set(revision, found)
    }
    return found
  }

  /** The signer (else author) of the commit that added `item`, walking from the revision the agent read. */
  const findChangeAuthor = async (item: DesiredItem): Promise<ChangeAuthor | undefined> => {
    const state = desiredState
    if (state === undefined) return undefined
    const found = await findIntroducingCommit({ ...repo, revision: state.revision, resource: { kind: item.kind, namespace: item.namespace, name: item.name, file: item.file }, defaultNamespace: state.config.namespace ?? 'default' })
    const text = (await signers()).text
    if (found.signed !== undefined && text !== undefined) {
      const verdict = await verifySshSignature({ payload: found.signed.payload, signature: found.signed.signature, allowedSigners: text, identity: found.author.email, ...(options.sshProgram ? { program: options.sshProgram } : {}) })
      // A valid signature by someone else's key names the signer: they made the change.
      if (verdict.verified) return { subject: reviewerOf({ email: verdict.identity }), commit: found.commit }
      if (verdict.reason === 'SignerMismatch' && verdict.principals?.[0]) return { subject: reviewerOf({ email: verdict.principals[0] }), commit: found.commit }
    }
    return { subject: reviewerOf(found.author), commit: found.commit }
  }

  return {
    async readDesired() {
      desiredState = await readDesired({ ...repo, branch, ...(desiredState ? { previous: desiredState } : {}), ...(statusState ? { identities: statusState.identities } : {}) })
      return toSnapshot(desiredState)
    },
    async readStatus() {
      statusState = await readStatus({ ...repo, branch: statusBranch, ...(statusState ? { previous: statusState } : {}), ...(keyring ? { agentKey: keyring } : {}) })
      if (statusState.revision !== requestsRevision) {
        // Request files are append-only: read only the commits since the last read.
        const log = await readRequests({ ...repo, branch: statusBranch, fetch: false, ...(requestsRevision ? { since: requestsRevision } : {}), ...(keyring ? { agentKey: keyring } : {}) })
        const known = new Set(requestRecords.map((r) => r.record.id))
        const fresh = log.requests.filter((r) => !known.has(r.id))
        // Only an agent judges identities; who signed a request is decided once, when first read.
        const trust = keyring ? { allowedSigners: (await signers()).text, allowUnsigned: options.allowUnsignedRequests === true, ...(options.sshProgram ? { program: options.sshProgram } : {}) } : undefined
        const judged = await Promise.all(fresh.map(async (record) => ({ record, identity: trust ? await authenticateRequest(record, trust) : {} })))
        requestRecords = [...requestRecords, ...judged]
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
      const result = await writeStatusCommit({ ...repo, branch: statusBranch, base: expectedHead ?? null, sourceRevision: write.sourceRevision, message: write.message, changes, leases, ...(options.author ? { author: options.author } : {}), ...(options.now ? { now: options.now } : {}), ...(keyring ? { agentKey: keyring } : {}) })
      return { outcome: result.outcome, head: result.commit }
    },
    async appendRequest(request, author, sign) {
      const result = await appendRequest({
        ...repo,
        branch: statusBranch,
        author,
        ...(sign ? { sign } : {}),
        ...(keyring && !sign ? { agentKey: keyring } : {}),
        request: {
          action: request.action as 'approve',
          target: { kind: request.target.kind, namespace: request.target.namespace, name: request.target.name },
          ...(request.target.node === undefined ? {} : { node: request.target.node }),
          by: `email:${author.email}`,
          ...(request.comment === undefined ? {} : { comment: request.comment }),
          ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
          ...(request.targetGeneration === undefined ? {} : { generation: request.targetGeneration }),
          ...(request.execution === undefined ? {} : { execution: { name: request.execution.name, uid: request.execution.uid } }),
          ...(request.digest === undefined ? {} : { digest: request.digest }),
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
    changeAuthor(item) {
      const key = `${item.subject}@${item.introducedIn}`
      let found = changeAuthors.get(key)
      if (found === undefined) {
        found = findChangeAuthor(item).catch(() => undefined)
        changeAuthors.set(key, found)
      }
      return found
    },
    async reachable(revision) {
      return desiredState !== undefined && isReachable({ ...repo, commit: revision, from: desiredState.revision })
    },
    signers,
    async desiredAt(revision) {
      const cached = older.get(revision)
      if (cached) return cached
      const snapshot = toSnapshot(await readDesired({ ...repo, branch, revision, fetch: false, ...(statusState ? { identities: statusState.identities } : {}) }))
      older.set(revision, snapshot)
      return snapshot
    },
  }
}

/** One request as read, and who it was judged to be from. */
type AuthenticatedRecord = { readonly record: RequestRecord; readonly identity: RequestIdentity }

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

function toStatus(state: GitStatusSnapshot, records: readonly AuthenticatedRecord[]): StatusSnapshot {
  const docs = new Map<string, StatusDoc>()
  for (const [subject, d] of state.documents) {
    const status = d.status as Record<string, unknown>
    const agent = ((status.extensions as Record<string, unknown> | undefined)?.[AGENT_EXTENSION] ?? {}) as { runRevision?: string; appliedRequests?: string[]; changeAuthor?: ChangeAuthor; refusedRequests?: { id: string; reason: string }[] }
    docs.set(subject, {
      kind: d.kind,
      namespace: d.namespace,
      name: d.name,
      ...(d.identity ? { uid: d.identity.uid } : {}),
      ...(d.observedGeneration === undefined ? {} : { observedGeneration: d.observedGeneration }),
      ...(d.sourceCommit === undefined ? {} : { sourceRevision: d.sourceCommit }),
      ...(agent.runRevision ? { runRevision: agent.runRevision } : {}),
      ...(agent.appliedRequests ? { appliedRequests: agent.appliedRequests } : {}),
      ...(Array.isArray(agent.refusedRequests) ? { refusedRequests: agent.refusedRequests.filter((r) => typeof r?.id === 'string' && typeof r.reason === 'string').map((r) => ({ id: r.id, reason: r.reason })) } : {}),
      ...(isChangeAuthor(agent.changeAuthor) ? { changeAuthor: { subject: agent.changeAuthor.subject, commit: agent.changeAuthor.commit } } : {}),
      status: withoutAgentExtension(status),
    })
  }
  const leases = new Map<string, Lease>()
  for (const [key, lease] of state.leases) leases.set(`execution/${key}`, { holder: lease.holder, expiresAt: Date.parse(lease.expiresAt) })
  const requests: AgentRequest[] = records.map(({ record: r, identity }) => ({
    id: r.id,
    action: r.request.action,
    target: { ...r.request.target, ...(r.request.node === undefined ? {} : { node: r.request.node }) },
    ...(r.request.comment === undefined ? {} : { comment: r.request.comment }),
    ...(r.request.outputs === undefined ? {} : { outputs: r.request.outputs }),
    ...(r.request.action === 'retry' && r.request.node !== undefined ? { nodes: [r.request.node] } : {}),
    ...(r.request.generation === undefined ? {} : { targetGeneration: r.request.generation }),
    ...(r.request.execution === undefined ? {} : { execution: r.request.execution }),
    ...(r.request.digest === undefined ? {} : { digest: r.request.digest }),
    author: { name: r.author.name, email: r.author.email },
    time: new Date(r.author.timestamp * 1000).toISOString(),
    commit: r.commit,
    ...(identity.actor === undefined ? {} : { actor: identity.actor }),
    ...(identity.refusal === undefined ? {} : { refusal: identity.refusal }),
  }))
  const problems = new Map(state.diagnostics.filter((d) => d.code !== 'PS7013').map((d) => [d.file, d.message]))
  const tampered: TamperedFile[] = state.tampered.map((t) => {
    const place = classifyStatusPath(t.path)
    return { path: t.path, commit: t.commit, ...(place.type === 'status' ? { subject: subjectOf(place.kind, place.namespace, place.name) } : {}) }
  })
  return { ...(state.revision ? { head: state.revision } : {}), docs, requests, leases, problems, tampered }
}

/** Keeps the agent's bookkeeping (run revision, applied requests, change author) inside the status extensions. */
function withAgentExtension(doc: StatusDoc): Record<string, unknown> {
  const status = { ...(doc.status as Record<string, unknown>) }
  if (doc.runRevision === undefined && doc.appliedRequests === undefined && doc.changeAuthor === undefined && doc.refusedRequests === undefined) return status
  const agent = {
    ...(doc.runRevision ? { runRevision: doc.runRevision } : {}),
    ...(doc.appliedRequests ? { appliedRequests: [...doc.appliedRequests] } : {}),
    ...(doc.changeAuthor ? { changeAuthor: { subject: doc.changeAuthor.subject, commit: doc.changeAuthor.commit } } : {}),
    ...(doc.refusedRequests?.length ? { refusedRequests: doc.refusedRequests.slice(-100).map((r) => ({ id: r.id, reason: r.reason })) } : {}),
  }
  return { ...status, extensions: { ...(status.extensions as Record<string, unknown> | undefined), [AGENT_EXTENSION]: agent } }
}

function isChangeAuthor(value: unknown): value is ChangeAuthor {
  const v = value as Partial<ChangeAuthor> | undefined
  return typeof v?.subject === 'string' && typeof v.commit === 'string' && /^[0-9a-f]{40}$/.test(v.commit)
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
