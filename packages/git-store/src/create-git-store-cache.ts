import type { Validator } from '@planspec/validator'
import type { BlobAnalysis } from './internal/analyze-blob.js'
import type { RawTreeEntry } from './internal/git-objects.js'
import type { ParsedStatusBlob } from './internal/status-layout.js'

/**
 * Caches shared by the git-store functions across calls: isomorphic-git's object cache (pack
 * indexes and pack data), parsed trees, manifests analysed by blob id, status files parsed by blob id, and the
 * validator (compiling its schemas is the expensive part). Blob-keyed entries are immutable
 * facts about content, so sharing one cache between branches and repositories is safe.
 */
export interface GitStoreCache {
  /** isomorphic-git's `cache` argument. */
  readonly objects: object
  /** Manifest analyses by blob id (bounded by `maxBlobs`, oldest dropped first). */
  readonly desiredBlobs: Map<string, BlobAnalysis>
  /** Parsed trees by id (bounded the same way): both sides of a diff, and the root read twice. */
  readonly trees: Map<string, readonly RawTreeEntry[]>
  /** Parsed status-branch files by blob id (bounded the same way). */
  readonly statusBlobs: Map<string, ParsedStatusBlob>
  /** Which status-branch commits carry a valid agent proof, by `keyId:branch:commit` (immutable facts). */
  readonly proofs: Map<string, boolean>
  /** The bound on each blob map. */
  readonly maxBlobs: number
  /** The validator, created on first use. */
  validator: Validator | undefined
}

/**
 * Creates an empty cache. Keep one per process and pass it to every call: without it, each call
 * re-reads pack indexes and re-parses every manifest.
 *
 * @example
 * const cache = createGitStoreCache()
 * const first = await readDesired({ fs, http, dir, url, cache })
 * const next = await readDesired({ fs, http, dir, url, cache, previous: first })
 */
export function createGitStoreCache(options: { readonly maxBlobs?: number; readonly validator?: Validator } = {}): GitStoreCache {
  return { objects: {}, desiredBlobs: new Map(), trees: new Map(), statusBlobs: new Map(), proofs: new Map(), maxBlobs: options.maxBlobs ?? 50_000, validator: options.validator }
}
