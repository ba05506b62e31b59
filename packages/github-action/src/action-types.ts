import type { Clock, GitHubClient, GitHubRetryPolicy } from '@planspec/github'

/** Where an annotation points, as `@actions/core` takes it. */
export interface AnnotationProperties {
  readonly title?: string
  readonly file?: string
  readonly startLine?: number
  readonly endLine?: number
  readonly startColumn?: number
  readonly endColumn?: number
}

/**
 * The part of `@actions/core` the Action uses; the real module satisfies it, tests pass a
 * recording fake (STYLE: replace only what we do not own).
 */
export interface ActionCore {
  getInput(name: string, options?: { readonly required?: boolean; readonly trimWhitespace?: boolean }): string
  setOutput(name: string, value: string): void
  setFailed(message: string | Error): void
  setSecret(secret: string): void
  error(message: string | Error, properties?: AnnotationProperties): void
  warning(message: string | Error, properties?: AnnotationProperties): void
  notice(message: string | Error, properties?: AnnotationProperties): void
  info(message: string): void
  readonly summary: ActionSummary
}

/** The job summary buffer of `@actions/core` (`$GITHUB_STEP_SUMMARY`). */
export interface ActionSummary {
  addRaw(text: string, addEOL?: boolean): ActionSummary
  write(options?: { readonly overwrite?: boolean }): Promise<unknown>
}

/** What the Action knows of the workflow run (from `GITHUB_*` variables and the event payload). */
export interface ActionContext {
  /** `pull_request`, `pull_request_target`, `push`, … */
  readonly eventName: string
  readonly repository: { readonly owner: string; readonly repo: string }
  /** `https://github.com` or a GitHub Enterprise Server URL. */
  readonly serverUrl: string
  /** The run's page, where the job summary is; the comment links to it when shortened. */
  readonly runUrl?: string
  /** The repository and ref this Action runs from (`GITHUB_ACTION_REPOSITORY`, `GITHUB_ACTION_REF`); absent for a local `uses: ./…`. */
  readonly action?: { readonly repository: string; readonly ref: string }
  /** The event payload (`GITHUB_EVENT_PATH`), read defensively. */
  readonly payload: unknown
}

/** A directory entry, as `readdir(…, { withFileTypes: true })` gives it. */
export interface ActionDirent {
  readonly name: string
  isFile(): boolean
  isDirectory(): boolean
  isSymbolicLink(): boolean
}

/** The file system calls the Action makes (node:fs/promises in production, a temp dir in tests). */
export interface ActionFs {
  readFile(path: string): Promise<Uint8Array>
  writeFile(path: string, data: string): Promise<void>
  /** Creates a directory and its parents; no error when it exists. */
  mkdir(path: string): Promise<unknown>
  readdir(path: string): Promise<readonly ActionDirent[]>
  lstat(path: string): Promise<{ readonly size: number; isFile(): boolean; isSymbolicLink(): boolean }>
}

/** Everything {@link runAction} uses, injected. */
export interface ActionDeps {
  readonly core: ActionCore
  readonly octokit: GitHubClient
  readonly context: ActionContext
  readonly fs: ActionFs
  /** The checkout (`GITHUB_WORKSPACE`): manifests are read here and named relative to it. */
  readonly cwd: string
  /** For rate-limit and 5xx waits; default the system clock. */
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
}

/** What a run did, for the caller and the tests (the same facts go to outputs, annotations and the summary). */
export interface ActionResult {
  /** Errors and warnings in the manifests the change touches (or all, outside a pull request). */
  readonly errors: number
  readonly warnings: number
  /** What happened to the review comment: `created`, `updated`, `unchanged`, `skipped` (disabled, no pull request, or a read-only token) or `failed` (GitHub refused it). */
  readonly comment: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed'
  /** Why the Action failed, as given to `setFailed`; absent when it passed. */
  readonly failure?: string
}
