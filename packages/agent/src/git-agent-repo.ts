import {
  allowedSignerPrincipals,
  appendRequest,
  findIntroducingCommit,
  isReachable,
  readDesired,
  readRequests,
  readStatus,
  readTrackedFile,
  verifySshSignature,
  writeStatusCommit,
  type AgentKeyring,
  type DesiredResource,
  type DesiredState,
  type GitIdentity,
  type GitRepository,
  type LeaseChange,
  type StatusChange,
  type StatusSnapshot as GitStatusSnapshot,
} from '@planspec/git-store'
import { parseObjectKey, subjectOf } from '@planspec/core'
import { authenticateRequest } from './authenticate-request.js'
import { reviewerOf } from './reviewer-of.js'
import { identityOf, toRequest, type AuthenticatedRecord } from './status-doc-mapping.js'
import type { AgentRepo, AgentTrust, ChangeAuthor } from './types.js'

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
  /**
   * Authenticate requests by their signatures even without the agents' key (a worker that must
   * see claims exactly as an agent judges them: `planspec mcp`). Requests an agent attested
   * (GitHub comment commands) prove nobody without the key.
   */
  readonly verifyRequests?: boolean
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
  /** The desired state at an older revision (an Execution keeps the spec it started with). */
  desiredAt(revision: string): Promise<DesiredState>
  /**
   * The author of the change that created a resource (DECISIONS §9): the commit that added it to
   * the tracked branch (through merges, unchanged by later commits), its signer when an allowed
   * signer signed it, else its author. Cached per resource. Undefined when history cannot tell.
   */
  changeAuthor(item: DesiredResource): Promise<ChangeAuthor | undefined>
  /** Tells whether a commit is in the tracked branch's history (as last read). */
  reachable(revision: string): Promise<boolean>
  /** The allowed signers of the tracked branch as last read. */
  signers(): Promise<RequestSigners>
}


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
  const changeAuthors = new Map<string, Promise<ChangeAuthor | undefined>>()
  const older = new Map<string, DesiredState>()
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
  const findChangeAuthor = async (item: DesiredResource): Promise<ChangeAuthor | undefined> => {
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
      return desiredState
    },
    async readStatus() {
      statusState = await readStatus({ ...repo, branch: statusBranch, ...(statusState ? { previous: statusState } : {}), ...(keyring ? { agentKey: keyring } : {}) })
      if (statusState.head !== requestsRevision) {
        // Request files are append-only: read only the commits since the last read.
        const log = await readRequests({ ...repo, branch: statusBranch, fetch: false, ...(requestsRevision ? { since: requestsRevision } : {}), ...(keyring ? { agentKey: keyring } : {}) })
        const known = new Set(requestRecords.map((r) => r.record.id))
        const fresh = log.requests.filter((r) => !known.has(r.id))
        // Only an agent judges identities; who signed a request is decided once, when first read.
        const trust = keyring || options.verifyRequests ? { allowedSigners: (await signers()).text, allowUnsigned: options.allowUnsignedRequests === true, ...(options.sshProgram ? { program: options.sshProgram } : {}) } : undefined
        const judged = await Promise.all(fresh.map(async (record) => ({ record, identity: trust ? await authenticateRequest(record, trust) : {} })))
        requestRecords = [...requestRecords, ...judged]
        requestsRevision = statusState.head
      }
      const { head, docs, leases, problems, tampered } = statusState
      return { ...(head === undefined ? {} : { head }), docs, leases, problems, tampered, requests: requestRecords.map(toRequest) }
    },
    async writeStatus(write, expectedHead) {
      // git-store writes core's documents as they are; the identity (uid, generation, ...) to
      // persist with each comes from the desired state this repository read.
      const changes: StatusChange[] = []
      for (const [subject, doc] of write.docs) {
        if (doc !== null) changes.push({ ...doc, ...identityOf(subjectOf(doc.kind, doc.namespace, doc.name), desiredState, statusState) })
        else {
          const key = parseObjectKey(subject)
          if (key !== undefined) changes.push({ ...key, delete: true })
        }
      }
      const leases: LeaseChange[] = []
      for (const [subject, lease] of write.leases) {
        const key = parseObjectKey(subject)
        if (key !== undefined) leases.push({ namespace: key.namespace, name: key.name, lease })
      }
      const result = await writeStatusCommit({ ...repo, branch: statusBranch, base: expectedHead ?? null, sourceRevision: write.sourceRevision, message: write.message, changes, leases, ...(write.logs?.length ? { logs: write.logs } : {}), ...(options.author ? { author: options.author } : {}), ...(options.now ? { now: options.now } : {}), ...(keyring ? { agentKey: keyring } : {}) })
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
          by: reviewerOf(author),
          ...(request.comment === undefined ? {} : { comment: request.comment }),
          ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
          ...(request.failed === undefined ? {} : { failed: request.failed }),
          ...(request.via === undefined ? {} : { via: request.via }),
          ...(request.targetGeneration === undefined ? {} : { generation: request.targetGeneration }),
          ...(request.execution === undefined ? {} : { execution: { name: request.execution.name, uid: request.execution.uid } }),
          ...(request.digest === undefined ? {} : { digest: request.digest }),
        },
        ...(options.now ? { now: options.now } : {}),
      })
      return result.id
    },
    changeAuthor(item) {
      const key = `${item.subject}@${item.identity.introducedIn}`
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
      const snapshot = await readDesired({ ...repo, branch, revision, fetch: false, ...(statusState ? { identities: statusState.identities } : {}) })
      older.set(revision, snapshot)
      return snapshot
    },
  }
}

