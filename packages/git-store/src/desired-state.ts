import type { ConditionUpdate, Diagnostic, RepositoryConfig, StoredResource } from '@planspec/core'
import type { Validator } from '@planspec/validator'
import type { ManifestValidateOptions } from './internal/analyze-blob.js'
import type { PathState } from './internal/path-state.js'
import type { ResourceIdentity } from './resource-identity.js'
import type { GitRepository } from './types.js'

/** The condition type a desired resource carries about its source file. */
export const SOURCE_VALID_CONDITION = 'SourceValid'

/** One resource in effect on the tracked branch. */
export interface DesiredResource {
  /** `kind/namespace/name`, kind in lower case (engine `subject`). */
  readonly subject: string
  readonly kind: string
  readonly namespace: string
  readonly name: string
  /** The file it comes from, and the blob of the version in effect. */
  readonly file: string
  readonly blob: string
  /** The revision at which this version was first read. */
  readonly validIn: string
  /**
   * The manifest as stored: `metadata` holds namespace, uid, generation and creationTimestamp
   * (git-mode metadata); a `status` written in the file is dropped (only controllers write status).
   */
  readonly object: StoredResource
  readonly identity: ResourceIdentity
  /**
   * True when the current version of the file is invalid (or refused) and this is the last
   * valid version, kept in effect (THREATS T3).
   */
  readonly lastKnownGood: boolean
  /**
   * `SourceValid`: True for a fresh version; False while the last known good version is in
   * effect, with a reason (`InvalidManifest`, `SourceRefused`, `EmptyFile`) and a message naming
   * file:line:column and the first problem, ready for `setCondition`.
   */
  readonly condition: ConditionUpdate
}

/** Subjects that changed since the previous state. */
export interface DesiredChanges {
  readonly added: readonly string[]
  readonly modified: readonly string[]
  readonly removed: readonly string[]
}

/** Work done by one read, for tests and benchmarks. */
export interface ReadDesiredStats {
  /** Tree objects read (a one-file change reads only the trees on its path, twice). */
  readonly treesRead: number
  /** Blob objects read. */
  readonly blobsRead: number
  /** Blobs given to the validator. */
  readonly blobsParsed: number
  /** Blobs whose analysis came from the cache (same content seen before). */
  readonly cacheHits: number
  /** File paths reported as new or changed by the tree walk. */
  readonly pathsChanged: number
}

/** Everything `readDesired` learnt about one revision of the tracked branch. */
export interface DesiredState {
  readonly branch: string
  readonly revision: string
  readonly tree: string
  /** Committer time of `revision` (RFC 3339). */
  readonly commitTime: string
  /** Resources in effect, by subject, in path order. */
  readonly resources: ReadonlyMap<string, DesiredResource>
  /** Every finding: validator diagnostics (file:line:col) and the store's own (PS7xxx, PS4002). */
  readonly diagnostics: readonly Diagnostic[]
  /** What changed since `previous` (everything is `added` on a first read). */
  readonly changed: DesiredChanges
  /** True when `revision` equals the previous one: nothing was read. */
  readonly unchanged: boolean
  /** True when the whole tree was walked (first read, rewritten history, changed config). */
  readonly fullRead: boolean
  /** True when the previous revision is not an ancestor of this one (force-push, PS7004). */
  readonly historyRewritten: boolean
  /** The `.planspec.yaml` in effect. */
  readonly config: RepositoryConfig
  readonly stats: ReadDesiredStats
  /** Per-path state carried to the next incremental read. */
  readonly paths: ReadonlyMap<string, PathState>
  /** Blob id of `.planspec.yaml`, when there is one. */
  readonly configBlob: string | undefined
  /** Diagnostics about the config, kept while it stays the same. */
  readonly configDiagnostics: readonly Diagnostic[]
}

/** Options of `readDesired`. */
export interface ReadDesiredOptions extends GitRepository {
  /** The tracked branch; `main` by default. */
  readonly branch?: string
  /** Read this commit instead of the branch head (it must be in the object database). */
  readonly revision?: string
  /** The state returned by the previous call: makes the read incremental. */
  readonly previous?: DesiredState
  /**
   * Identities persisted on the status branch (`readStatus(...).identities`), for resources the
   * previous state does not know (after a restart).
   */
  readonly identities?: ReadonlyMap<string, ResourceIdentity>
  /** Fetch the branch first (only with `url`); true by default. */
  readonly fetch?: boolean
  /** Validator options (compat mode, limits). */
  readonly validate?: ManifestValidateOptions
  /** A validator to use; by default the cache's (created once). */
  readonly validator?: Validator
}
