import type { AttemptLog, LogQuery } from '@planspec/core'
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
      readonly kind: 'Gate' | 'Execution'
      readonly name: string
      readonly namespace: string
      /** claim, complete, retry: the node it names. */
      readonly node?: string
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

/** An action the client recorded (the argument of {@link ResourceClient.verdict}). */
export type RecordedRequest = Extract<ClientRequestOutcome, { readonly status: 'recorded' }>

/** The controllers' verdict on a recorded action. */
export interface ClientVerdict {
  /** True when the action counted (was applied). */
  readonly counted: boolean
  /** `gate/NAME: approve counted for RUN; the Gate is Approved`, `execution/NAME: cancelled`, `...: approve refused: REASON`. */
  readonly message: string
  /** The refusal reasons, when it did not count. */
  readonly reasons?: readonly string[]
}

/** How long {@link ResourceClient.verdict} waits. */
export interface VerdictOptions {
  /** Wait at most this long (default 0: look once). */
  readonly waitMs?: number
  readonly signal?: AbortSignal
  /** Look again this often while waiting (default 1 s). */
  readonly pollMs?: number
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

/** An Execution's kept attempt logs (`planspec logs`), with the Execution as read alongside them. */
export interface ExecutionLogs {
  readonly execution: ResourceView
  /** Every kept log (each node's last attempts, both streams), capped and secret-masked where the attempt ran. */
  readonly logs: readonly AttemptLog[]
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
   * `signal` aborts; resolves then. `scope` narrows it to one namespace and/or one name. Rejects
   * when the server or repository cannot be read at the start; one that goes away later is waited for.
   */
  watch(kinds: readonly string[], onChange: (change: ResourceChange) => void, signal: AbortSignal, scope?: WatchScope): Promise<void>
  /** Records an action of the client's identity, after the checks its mode makes. */
  request(action: ClientAction, target: ClientRequestTarget, options?: ClientRequestOptions): Promise<ClientRequestOutcome>
  /**
   * The verdict on an action this client recorded: what the controllers made of it (the agent's
   * judgement on the status branch in git mode, the server's in server mode), read from the
   * resource's status and looked at again every `pollMs` until `waitMs` has passed; undefined
   * while there is none. A review or claim that a server decided when it was recorded has its
   * verdict at once; a cancel, retry or completion waits for the run in both modes.
   */
  verdict(action: ClientAction, recorded: RecordedRequest, options?: VerdictOptions): Promise<ClientVerdict | undefined>
  /**
   * The kept output of an Execution's attempts: the status branch's log blobs (git mode) or the
   * server's `executions/{name}/log` subresource. Undefined when the Execution does not exist.
   */
  logs(execution: string, namespace?: string): Promise<ExecutionLogs | undefined>
  /**
   * Follows an Execution's logs where the other end streams them (a server's `log?follow=true`):
   * `onText` gets the text as it comes, until the Execution ends or `signal` aborts. False when the
   * Execution does not exist. Absent in git mode, where `planspec logs -f` polls `logs`.
   */
  followLogs?(execution: string, namespace: string | undefined, query: LogQuery & { readonly tail?: number }, onText: (text: string) => void, signal?: AbortSignal): Promise<boolean>
  /** What applying these objects would do (never applied). */
  dryRunApply(objects: readonly Record<string, unknown>[]): Promise<ApplyPreview[]>
}
