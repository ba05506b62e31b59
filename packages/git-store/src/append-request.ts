import { subjectOf } from '@planspec/core'
import { randomBytes } from 'node:crypto'
import git from 'isomorphic-git'
import { agentProof, type AgentKeyring } from './agent-key.js'
import { REQUEST_PROOF_TRAILER, requestProofContent } from './internal/status-proof.js'
import { GitInvalidInputError } from './errors.js'
import { systemClock } from './internal/system-clock.js'
import { updateBranch } from './internal/commit-to-branch.js'
import { checkStatusBranch, openRepository } from './internal/open-repository.js'
import { requestPath } from './internal/status-layout.js'
import { entryAtPath } from './internal/update-tree.js'
import { renderRequest, requestProblem, type PlanSpecRequest } from './request-document.js'
import { AGENT_IDENTITY, DEFAULT_STATUS_BRANCH, type GitIdentity, type GitRepository } from './types.js'

/** Options of {@link appendRequest}. */
export interface AppendRequestOptions extends GitRepository {
  /** The status branch; `planspec/status` by default. */
  readonly branch?: string
  /** The tracked branch, which this never writes (refused as `branch`); `main` by default. */
  readonly trackedBranch?: string
  readonly request: PlanSpecRequest
  /**
   * The commit author: the person asking (readRequests returns it, for eligibility checks). By
   * default the name is `request.by` and the e-mail a no-reply address.
   */
  readonly author?: GitIdentity
  /** Clock, milliseconds since the epoch; the system clock by default. */
  readonly now?: () => number
  /** Pushes tried before giving up on a busy branch; 10 by default. */
  readonly maxAttempts?: number
  /** Random suffix of the request id; 10 random hex characters by default. */
  readonly randomId?: () => string
  /**
   * Signs the commit the way `git commit -S` does (DECISIONS §9: a request counts only when its
   * commit is signed by a key the tracked branch's allowed-signers file lists for the author).
   * Receives the commit payload, returns the armored signature (e.g. `signPayload`).
   */
  readonly sign?: (payload: string) => Promise<string>
  /**
   * The agents' key, when an agent records a request for someone whose identity it verified
   * itself (a GitHub comment command): the commit carries a `PlanSpec-Request-Proof` over the
   * request file, and `readRequests({ agentKey })` reports it `attested`.
   */
  readonly agentKey?: AgentKeyring
}

/** Where the request landed. */
export interface AppendRequestResult {
  readonly id: string
  readonly path: string
  /** The status-branch commit that added it. */
  readonly commit: string
}

function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '')
}

/**
 * Records a request from a person (approve, reject, cancel, retry, claim, complete) as one new
 * file `requests/<time>-<random>.yaml` on the status branch, in its own commit, and pushes it.
 * Requests are append-only (DECISIONS §6): a file is never rewritten, so when the push is rejected
 * because someone else wrote meanwhile, the same file is committed again on the new head and
 * pushed again, with jittered backoff, up to `maxAttempts`. Works without a remote too.
 *
 * Throws `PLANSPEC_ERR_GIT_INVALID_INPUT` for a malformed request, `StatusConflictError` when the
 * branch stayed busy for every attempt, and the coded errors of `fetchRemote`.
 *
 * @example
 * await appendRequest({ fs, http, dir, url, request: { action: 'approve', target: { kind: 'Gate', namespace: 'default', name: 'release' }, by: 'user:alice', generation: 2 }, author: { name: 'Alice', email: 'alice@example.org' } })
 */
export async function appendRequest(options: AppendRequestOptions): Promise<AppendRequestResult> {
  const problem = requestProblem(options.request)
  if (problem) throw new GitInvalidInputError(`invalid request: ${problem}`, { data: { field: 'request' } })
  const context = await openRepository(options)
  const branch = checkStatusBranch(options.branch ?? DEFAULT_STATUS_BRANCH, options.trackedBranch)
  const now = options.now ?? systemClock
  const created = now()
  const id = `${compactTime(created)}-${(options.randomId ?? (() => randomBytes(5).toString('hex')))()}`
  const path = requestPath(id)
  const { request } = options
  const content = Buffer.from(renderRequest(id, { ...request, createdAt: request.createdAt ?? new Date(created).toISOString() }))
  const author = options.author ?? { name: request.by, email: `${request.by.replace(/[^A-Za-z0-9._-]+/g, '-')}@users.noreply.planspec.io` }
  const target = subjectOf(request.target.kind, request.target.namespace, request.target.name)
  const message = `planspec: ${request.action} ${target}${request.node ? ` node ${request.node}` : ''} by ${request.by}\n`
  const outcome = await updateBranch(context, { branch, maxAttempts: options.maxAttempts ?? 10, now, committer: options.sign ? author : AGENT_IDENTITY }, async (view) => {
    if (await entryAtPath(context, view.tree, path)) throw new GitInvalidInputError(`request ${id} exists already`, { data: { field: 'id' } })
    const keyring = options.agentKey
    const blob = keyring ? (await git.hashBlob({ object: content })).oid : ''
    const trailers = keyring ? async (_tree: string, parents: readonly string[]) => [[REQUEST_PROOF_TRAILER, agentProof(keyring, requestProofContent(branch, parents, [[path, blob]]))] as const] : undefined
    return { commit: { changes: new Map([[path, content]]), message, author, ...(trailers ? { trailers } : {}), ...(options.sign ? { sign: options.sign } : {}) }, result: undefined }
  })
  return { id, path, commit: outcome.head! }
}
