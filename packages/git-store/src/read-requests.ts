import type { Diagnostic } from '@planspec/core'
import { checkAgentProof, type AgentKeyring } from './agent-key.js'
import { REQUEST_PROOF_TRAILER, requestProofContent, trailerOf } from './internal/status-proof.js'
import { readCommitSignature } from './internal/write-signed-commit.js'
import { gitDiagnostic } from './diagnostic-codes.js'
import { fetchBranches } from './internal/fetch-branches.js'
import { readBlobBytes, readCommitInfo, readRawTree, type CommitInfo } from './internal/git-objects.js'
import { displayName } from './internal/entry-name.js'
import { checkBranch, openRepository, type RepoContext } from './internal/open-repository.js'
import { readBranchHead } from './internal/read-branch-head.js'
import { classifyStatusPath, REQUESTS_DIR } from './internal/status-layout.js'
import { parseRequest, type PlanSpecRequest } from './request-document.js'
import { DEFAULT_STATUS_BRANCH, type GitRepository } from './types.js'

/** Options of {@link readRequests}. */
export interface ReadRequestsOptions extends GitRepository {
  /** The status branch; `planspec/status` by default. */
  readonly branch?: string
  /** Only requests added after this status commit (the `revision` of the previous call). */
  readonly since?: string
  /** Fetch the branch first (only with `url`); true by default. */
  readonly fetch?: boolean
  /** Most commits walked back from the head; 10,000 by default. */
  readonly maxCommits?: number
  /** The agents' key: requests an agent recorded for someone it authenticated come back `attested`. */
  readonly agentKey?: AgentKeyring
}

/** One request with the commit that added it. */
export interface RequestRecord {
  readonly id: string
  readonly path: string
  /** The status-branch commit that added the file. */
  readonly commit: string
  /**
   * The commit's author line: whatever the pushing client wrote. It is an identity only together
   * with a signature that an allowed signer made for it (`signed`), or an agent's `attested`.
   */
  readonly author: { readonly name: string; readonly email: string; readonly timestamp: number }
  readonly request: PlanSpecRequest
  /** The commit's signature and the bytes it signs (verify with `verifySshSignature`); undefined when unsigned. */
  readonly signed?: { readonly payload: Uint8Array; readonly signature: string }
  /**
   * True when an agent recorded the request for someone whose identity it verified itself (a
   * GitHub comment command): the commit's `PlanSpec-Request-Proof` holds for these files under
   * `agentKey`. `request.by` is then the identity; otherwise only the signature is.
   */
  readonly attested: boolean
}

/** Requests in commit order. */
export interface RequestLog {
  /** The status head read; pass it as `since` next time. */
  readonly revision: string | undefined
  readonly requests: readonly RequestRecord[]
  /** Request files that are not valid requests (PS7011); they are skipped. */
  readonly diagnostics: readonly Diagnostic[]
}

/** The id of the `requests/` tree of a commit, if it has one. */
async function requestsTree(context: RepoContext, commit: CommitInfo | undefined): Promise<string | undefined> {
  if (!commit) return undefined
  return (await readRawTree(context, commit.tree)).find((e) => e.name === REQUESTS_DIR && e.type === 'tree')?.oid
}

/**
 * Returns the requests on the status branch in the order their commits were made (first parent
 * history, oldest first; within one commit by file name), each with its commit's author, so the
 * agent can check who may approve. With `since`, only requests added after that commit. Invalid
 * request files are reported (PS7011) and skipped; this never throws on repository content.
 *
 * @example
 * const log = await readRequests({ fs, http, dir, url, since: previous?.revision })
 * for (const { request, author } of log.requests) console.log(request.action, request.target.name, author.email)
 */
export async function readRequests(options: ReadRequestsOptions): Promise<RequestLog> {
  const context = await openRepository(options)
  const branch = checkBranch(options.branch ?? DEFAULT_STATUS_BRANCH)
  if (context.remote && options.fetch !== false) await fetchBranches(context, [{ name: branch, required: false }])
  const head = await readBranchHead(context, branch, false)
  const chain: CommitInfo[] = []
  let parent: CommitInfo | undefined
  for (let oid = head; oid !== undefined && oid !== options.since; ) {
    const commit = await readCommitInfo(context, oid)
    if (chain.length >= (options.maxCommits ?? 10_000)) {
      parent = commit
      break
    }
    chain.push(commit)
    oid = commit.parents[0]
  }
  if (parent === undefined && options.since !== undefined && chain.length > 0 && chain[chain.length - 1]!.parents[0] === options.since) parent = await readCommitInfo(context, options.since)
  const requests: RequestRecord[] = []
  const diagnostics: Diagnostic[] = []
  // A request file deleted and added again later is still one request.
  const seen = new Set<string>()
  let before = await requestsTree(context, parent)
  for (const commit of chain.reverse()) {
    const after = await requestsTree(context, commit)
    if (after !== before && after !== undefined) {
      const known = new Set(before === undefined ? [] : (await readRawTree(context, before)).map((e) => e.name))
      const added = (await readRawTree(context, after)).filter((e) => !known.has(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1))
      const signature = added.length === 0 ? undefined : await readCommitSignature(context, commit.oid)
      const signed = signature?.signature === undefined ? undefined : { payload: signature.payload, signature: signature.signature }
      const proof = options.agentKey ? trailerOf(commit.message, REQUEST_PROOF_TRAILER) : undefined
      const attested =
        options.agentKey !== undefined && proof !== undefined && checkAgentProof(options.agentKey, requestProofContent(branch, commit.parents, added.map((e) => [`${REQUESTS_DIR}/${displayName(e.name)}`, e.oid] as const)), proof)
      for (const entry of added) {
        const path = `${REQUESTS_DIR}/${displayName(entry.name)}`
        const place = classifyStatusPath(path)
        if (place.type !== 'request' || entry.type !== 'blob') {
          diagnostics.push(gitDiagnostic('PS7011', path, `${path} is not a request file (name or mode ${entry.mode}); it is ignored`))
          continue
        }
        const parsed = parseRequest(path, await readBlobBytes(context, entry.oid), place.id)
        if (seen.has(place.id)) continue
        seen.add(place.id)
        if ('error' in parsed) diagnostics.push(gitDiagnostic('PS7011', path, `${path}: ${parsed.error}; the request is ignored`))
        else requests.push({ id: place.id, path, commit: commit.oid, author: commit.author, request: parsed.request, attested, ...(signed ? { signed } : {}) })
      }
    }
    before = after
  }
  return { revision: head, requests, diagnostics }
}
