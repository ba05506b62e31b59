import { PlanSpecError } from '@planspec/core'

/** Options every git-store error accepts: JSON-able details (never secrets) and a cause. */
export interface GitErrorOptions {
  readonly data?: Record<string, unknown>
  readonly cause?: unknown
}

/** The remote cannot be reached (refused, reset, timed out, 5xx). Transient: retry with backoff. */
export class GitUnreachableError extends PlanSpecError {
  /** Creates the error; `data.url` is always a redacted URL. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_UNREACHABLE' })
  }
}

/**
 * The remote refused the credentials (401/403), or asked for some and none were given. Terminal:
 * retrying with the same credentials cannot help.
 */
export class GitAuthError extends PlanSpecError {
  /** Creates the error; the message and data never hold the credentials. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_AUTH', terminal: true })
  }
}

/** The remote has no repository at the URL (404). Terminal. */
export class GitRepositoryNotFoundError extends PlanSpecError {
  /** Creates the error. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_REPO_NOT_FOUND', terminal: true })
  }
}

/** The branch asked for does not exist (on the remote, or in the local repository). */
export class GitBranchNotFoundError extends PlanSpecError {
  /** Creates the error; `data.branch` names the branch. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_BRANCH_NOT_FOUND' })
  }
}

/** The URL cannot be used (unparsable, or a transport isomorphic-git does not speak). Terminal. */
export class GitUrlError extends PlanSpecError {
  /** Creates the error. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_URL', terminal: true })
  }
}

/** Any other failure talking to the remote or reading the object database. Retried with backoff. */
export class GitTransportError extends PlanSpecError {
  /** Creates the error. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_TRANSPORT' })
  }
}

/**
 * The status branch moved since it was read: the compare-and-swap push was rejected. The caller
 * re-fetches, re-reconciles and retries (DECISIONS §6); nothing was written.
 */
export class StatusConflictError extends PlanSpecError {
  /** Creates the error; `data` has the branch, the expected and (when known) the actual head. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_CONFLICT' })
  }
}

/** A live lease on the Execution is held by another holder. Retry after `data.expiresAt`. */
export class LeaseHeldError extends PlanSpecError {
  /** Creates the error; `data` has the holder and the expiry. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_LEASE_HELD' })
  }
}

/** The caller no longer holds the lease it tries to renew (taken over, released or never held). */
export class LeaseLostError extends PlanSpecError {
  /** Creates the error; `data` has the current holder, if any. Terminal for this holder's work. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_LEASE_LOST', terminal: true })
  }
}

/** A request or status change given to the store is malformed (a caller bug). Terminal. */
export class GitInvalidInputError extends PlanSpecError {
  /** Creates the error; `data.field` names the offending field. */
  constructor(message: string, options: GitErrorOptions = {}) {
    super(message, { ...options, code: 'PLANSPEC_ERR_GIT_INVALID_INPUT', terminal: true })
  }
}
