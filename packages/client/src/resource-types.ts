import type { ListedResource } from '@planspec/reporter'

/** Where a client reads and writes: a git repository (git mode) or a PlanSpec API server. */
export type ClientMode = 'git' | 'server'

/** Why a run's Gate node still waits (core's `gateNodeObservation`). */
export interface GateWait {
  readonly node: string
  readonly gate: string
  readonly message: string
}

/**
 * One resource as a client sees it: the manifest (metadata and spec, no status), the status the
 * controllers wrote, and what git mode keeps beside it.
 */
export interface ResourceView extends ListedResource {
  readonly kind: string
  readonly name: string
  readonly namespace: string
  /** The manifest: apiVersion, kind, metadata, spec. */
  readonly object: Record<string, unknown>
  /** Requests on it that did not count, and why (git mode). */
  readonly refusedRequests?: readonly { readonly id: string; readonly reason: string }[]
  /** Why each waiting Gate node of an Execution waits. */
  readonly gateWaits?: readonly GateWait[]
  /** Who created it (separation of duties): `email:`, `user:` or `svc:` subject, when known. */
  readonly changeAuthor?: string
  /** Executions: who holds the claim of each claimed node (`node` → subject). */
  readonly claims?: Readonly<Record<string, string>>
  /** git mode: the tracked-branch file that holds it. */
  readonly file?: string
  /** git mode: the tracked-branch commit that introduced it (its pull request is where people review it). */
  readonly introducedIn?: string
}

/** Who a client acts as. */
export interface ClientIdentity {
  /** A reviewer subject: `svc:NAME`, `email:ADDR`, `user:LOGIN`. */
  readonly subject: string
  /** How it was established: `signing key ~/.ssh/id_ed25519 (allowed signer svc:docs-writer)`, `token of svc:ci`. */
  readonly source: string
}

/** The actions a client records for its identity. */
export type ClientAction = 'approve' | 'reject' | 'comment' | 'cancel' | 'retry' | 'claim' | 'complete'

/** What an action is about. */
export interface ClientRequestTarget {
  readonly kind: 'Gate' | 'Execution'
  readonly name: string
  /** When absent, the name is looked up in every namespace. */
  readonly namespace?: string
  /** claim, complete: the node waiting for a worker; retry: re-open only this node. */
  readonly node?: string
  /** complete: the outputs of the work. */
  readonly outputs?: Readonly<Record<string, unknown>>
  /** complete: the work failed (the comment says why). */
  readonly failed?: boolean
  /** approve, reject, comment: decide for (or point at) this waiting Execution only. */
  readonly execution?: string
}

/** How an action is recorded. */
export interface ClientRequestOptions {
  readonly comment?: string
  /** Check and report, record nothing. */
  readonly dryRun?: boolean
  /** The client the action comes through (`mcp:NAME/VERSION`): recorded for the audit trail, never an identity. */
  readonly via?: string
  /**
   * Record an action the checks refuse anyway, so the refusal is audited where people look (the
   * Gate's review history): an AI agent's attempt to approve. Signature problems are never recorded.
   */
  readonly recordRefused?: boolean
}

/** What became of an action. */
export type ClientRequestOutcome =
  | {
      readonly status: 'recorded'
      /** `kind/name`. */
      readonly subject: string
      readonly namespace: string
      /** The request id (git mode) or the server's resourceVersion after it. */
      readonly id: string
      /** The Execution an approval, rejection or comment was bound to. */
      readonly execution?: string
      /** Decided at once (server mode, a git claim judged on the branch): true when it counted. */
      readonly counted?: boolean
      readonly notes: readonly string[]
      /** The object after the action (server mode). */
      readonly object?: Record<string, unknown>
    }
  | { readonly status: 'dry-run'; readonly subject: string; readonly namespace: string; readonly notes: readonly string[] }
  | {
      readonly status: 'refused'
      readonly subject: string
      /** PascalCase: `NotEligible`, `SelfApproval`, `AgentCannotDecide`, `AlreadyClaimed`, `MissingOutputs`, `NotWaiting`, `NoSigningKey`, `UnknownSigner`, `NotFound`, ... */
      readonly reason: string
      readonly message: string
      /** Set when the refused action was recorded for the audit trail (`recordRefused`). */
      readonly recorded?: { readonly id: string }
    }

/** One result of a dry-run apply. */
export interface ApplyPreview {
  readonly kind: string
  readonly namespace?: string
  readonly name: string
  readonly action: 'created' | 'configured' | 'unchanged'
}

/** What a watch follows: one namespace (default: every one), one name (default: every one). */
export interface WatchScope {
  readonly namespace?: string
  readonly name?: string
}

/** A change seen by a watch. */
export interface ResourceChange {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly resource: ResourceView
}

/**
 * The client port (STYLE: a small interface, a git and an HTTP implementation side by side):
 * read resources with their status, follow their changes, record the actions of its identity,
 * and preview an apply. Every mode answers the same questions the same way; each implementation
 * goes through the same checks its mode's command line does (signed request files in git mode,
 * the API's routes and RBAC in server mode).
 */
export interface ResourceClient {
  readonly mode: ClientMode
  /** Where it goes, safe to print (no credentials). */
  readonly target: string
  /** Who it acts as; throws `ClientRefusedError` when it cannot act as anybody. */
  whoami(): Promise<ClientIdentity>
  /** Resources of a kind (any case, singular, plural or short name), in one namespace or all. */
  list(kind: string, options?: { readonly namespace?: string; readonly labelSelector?: string }): Promise<ResourceView[]>
  /** One resource; undefined when it does not exist. A name several namespaces hold needs one. */
  get(kind: string, name: string, namespace?: string): Promise<ResourceView | undefined>
  /**
   * Calls `onChange` for every change of these kinds (the current objects first, as ADDED) until
   * `signal` aborts; resolves then. `scope` narrows it to one namespace and/or one name.
   */
  watch(kinds: readonly string[], onChange: (change: ResourceChange) => void, signal: AbortSignal, scope?: WatchScope): Promise<void>
  /** Records an action of the client's identity, after the checks its mode makes. */
  request(action: ClientAction, target: ClientRequestTarget, options?: ClientRequestOptions): Promise<ClientRequestOutcome>
  /** What applying these objects would do (never applied). */
  dryRunApply(objects: readonly Record<string, unknown>[]): Promise<ApplyPreview[]>
}
