/**
 * Git mode's status branch (DECISIONS §6, §9), as one model: what git-store reads and writes and
 * what the agent, the client and the CLI use. The file format (YAML under
 * `<namespace>/<plural>/<name>.yaml`, leases under `leases/`) is git-store's business; these are
 * the values it returns and accepts.
 */

/** Who created an Execution: the signer (else the author) of the commit that added it. */
export interface ChangeAuthor {
  /** A reviewer subject: `email:ADDR`, `user:LOGIN`. */
  readonly subject: string
  /** The tracked-branch commit that added the Execution. */
  readonly commit: string
}

/** A request on an Execution that did not count, and why. */
export interface RefusedRequestNote {
  readonly id: string
  readonly reason: string
}

/**
 * What the status branch holds for one resource: the status the controllers computed (`status`,
 * the kind's status type of the generated model) and git mode's bookkeeping around it.
 */
export interface StatusDoc<S = unknown> {
  readonly kind: string
  readonly namespace: string
  readonly name: string
  /** The git-mode uid of the resource the status was computed for. */
  readonly uid?: string
  readonly observedGeneration?: number
  /** The tracked-branch revision the status was computed from. */
  readonly sourceRevision?: string
  /** Executions: the revision the run started on; its spec and plan stay in effect (DECISIONS §3). */
  readonly runRevision?: string
  /** Executions: request files already applied (retry, completions), so none applies twice. */
  readonly appliedRequests?: readonly string[]
  /**
   * Executions: the author of the change that created it (separation of duties, DECISIONS §9),
   * found once by walking the tracked branch's history and recorded under the agents' proof.
   */
  readonly changeAuthor?: ChangeAuthor
  /** Executions: requests on it that did not count, and why (the last 100), for `--wait` and `describe`. */
  readonly refusedRequests?: readonly RefusedRequestNote[]
  readonly status: S
}

/**
 * An Execution's lease (DECISIONS §6): who may run it, until when. Times are RFC 3339, as written
 * in the lease file.
 */
export interface Lease {
  /** The Execution's namespace and name. */
  readonly namespace: string
  readonly name: string
  /** Who holds it (an agent id). */
  readonly holder: string
  /**
   * Grows by one each time the lease changes hands (or is taken again after it ended), so a holder
   * can tell that it lost the lease even if it got it back later (a fencing token).
   */
  readonly epoch: number
  readonly acquiredAt: string
  readonly renewedAt: string
  readonly expiresAt: string
}

/** A status-branch file changed by a commit no agent proved (DECISIONS §9). */
export interface TamperedFile {
  readonly path: string
  /** The first commit that changed it. */
  readonly commit: string
  /** The resource whose status file it is (`kind/namespace/name`), when it is one. */
  readonly subject?: string
}

/** The status branch as one read saw it: statuses and leases by subject, and what could not be read. */
export interface StatusBranchView {
  /** The status branch head (undefined when the branch does not exist yet). */
  readonly head?: string
  /** Status documents by subject (`kind/namespace/name`). */
  readonly docs: ReadonlyMap<string, StatusDoc>
  /** Execution leases by subject (`execution/namespace/name`). */
  readonly leases: ReadonlyMap<string, Lease>
  /** Status files that could not be read (edited by hand): path → problem. */
  readonly problems: ReadonlyMap<string, string>
  /**
   * Status-branch files someone who is not an agent changed (DECISIONS §9): their content was
   * ignored; the next status commit writes the agents' version back.
   */
  readonly tampered?: readonly TamperedFile[]
}
