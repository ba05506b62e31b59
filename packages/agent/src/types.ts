import type { ChangeAuthor, Lease, StatusBranchView, StatusDoc } from '@planspec/core'
import type { DesiredResource, DesiredState, LogBlob } from '@planspec/git-store'

/** What the status branch holds for one resource: core's model, read and written by git-store. */
export type { ChangeAuthor, Lease, StatusDoc, TamperedFile } from '@planspec/core'

/** The actions people ask for through request files. */
export type RequestAction = 'approve' | 'reject' | 'comment' | 'cancel' | 'retry' | 'claim' | 'complete'

/** One request file on the status branch (append-only). */
export interface AgentRequest {
  /** The file path: unique and stable, used to remember which requests were applied. */
  readonly id: string
  readonly action: RequestAction
  readonly target: { readonly kind: string; readonly namespace: string; readonly name: string; readonly node?: string }
  readonly comment?: string
  readonly outputs?: Readonly<Record<string, unknown>>
  /** A completion of work that failed (`comment` is the failure message). */
  readonly failed?: boolean
  /** The client the request came through (`mcp:NAME/VERSION` for an AI agent): audit only, never an identity. */
  readonly via?: string
  /** Nodes a retry re-opens (all failed nodes when absent). */
  readonly nodes?: readonly string[]
  /** The commit author line of the file: what the pushing client wrote (an identity only with `actor`). */
  readonly author: { readonly name: string; readonly email: string }
  /** The status-branch commit that added the file. */
  readonly commit?: string
  /**
   * Who asks, proven (DECISIONS §9): the allowed signer who signed the commit, or the person an
   * agent authenticated itself (a GitHub comment command). Undefined when nobody is proven.
   */
  readonly actor?: string
  /** Why the request proves nobody (`Unsigned`, `UnknownSigner`, `SignerMismatch`, `BadSignature`). */
  readonly refusal?: { readonly reason: string; readonly message: string }
  /** RFC 3339 commit time. */
  readonly time: string
  /** The Gate generation the reviewer saw (approve/reject). */
  readonly targetGeneration?: number
  /** The Execution an approval or rejection decides for (absent: every Execution waiting when it is processed). */
  readonly execution?: { readonly name: string; readonly uid: string }
  /** The run content digest the reviewer saw (`status.runDigest` of that Execution). */
  readonly digest?: string
}

/**
 * The status branch as one read saw it: core's view (statuses, leases, unreadable and tampered
 * files, as git-store reads them) and the request files, each with who it proves.
 */
export interface StatusSnapshot extends StatusBranchView {
  readonly requests: readonly AgentRequest[]
}

/** One status commit: documents to write (null deletes) and leases as decided by git-store's lease decisions (null deletes the file). */
export interface StatusWrite {
  readonly docs: ReadonlyMap<string, StatusDoc | null>
  /** Attempt logs of the Executions written, committed with their statuses (`planspec logs`). */
  readonly logs?: readonly LogBlob[]
  readonly leases: ReadonlyMap<string, Lease | null>
  readonly sourceRevision: string
  readonly message: string
}

/**
 * The repository as the agent uses it: the desired state from the tracked branch, the status
 * branch, and compare-and-swap writes to it. Implemented over git (`gitAgentRepo`); tests may
 * implement it over anything that keeps the same contract.
 */
export interface AgentRepo {
  /** Fetches (with a remote) and reads the tracked branch, incrementally after the first call. */
  readDesired(): Promise<DesiredState>
  /** Fetches and reads the status branch. */
  readStatus(): Promise<StatusSnapshot>
  /**
   * Writes one commit on top of `expectedHead` and pushes it. Resolves `unchanged` when the
   * write changes nothing. Throws an error with code `PLANSPEC_ERR_GIT_CONFLICT` when the branch
   * moved (re-read, re-decide, retry).
   */
  writeStatus(write: StatusWrite, expectedHead: string | undefined): Promise<{ readonly outcome: 'committed' | 'unchanged'; readonly head: string | undefined }>
  /**
   * Appends a request file (people's actions) and pushes; retried internally on conflicts. `sign`
   * signs the commit (a person's SSH key, as `git commit -S`); an agent holding the agents' key
   * attests the request instead (a GitHub comment command it authenticated).
   */
  appendRequest(request: Omit<AgentRequest, 'id' | 'author' | 'time' | 'commit' | 'actor' | 'refusal'>, author: { readonly name: string; readonly email: string }, sign?: (payload: string) => Promise<string>): Promise<string>
}

/** What the agent trusts identities and revisions on (DECISIONS §9); `gitAgentRepo` implements it. */
export interface AgentTrust {
  /** The author of the change that created a resource (separation of duties); undefined when history cannot tell. */
  changeAuthor(item: DesiredResource): Promise<ChangeAuthor | undefined>
  /** Tells whether a commit is in the tracked branch's history (a run's revision must be). */
  reachable(revision: string): Promise<boolean>
  /** The people with write access (the allowed signers), and why the file could not be read, if so. */
  signers(): Promise<{ readonly writers: readonly string[]; readonly problem?: string }>
}
