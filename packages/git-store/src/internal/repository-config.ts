import type { RepositoryConfig } from '@planspec/core'
import { createFileSelection, REPOSITORY_CONFIG_FILE } from '@planspec/validator'

/** The repository configuration file, at the root of the tracked tree. */
export const CONFIG_FILE = REPOSITORY_CONFIG_FILE

/** Decides which tree paths are manifest candidates, and whether content must be sniffed. */
export interface CandidateFilter {
  /** True when `path` may hold manifests. */
  readonly accepts: (path: string) => boolean
  /**
   * True when `paths` globs chose the files: every candidate is validated as a manifest. False
   * with the default (the whole tree): only YAML files whose content has a `planspec.io/`
   * apiVersion count (DECISIONS §6).
   */
  readonly explicit: boolean
}

/** Builds the candidate filter of a config with the validator's one file selection (CLI and Action use it too). */
export function candidateFilter(config: RepositoryConfig): CandidateFilter {
  const selection = createFileSelection(config)
  return { accepts: (path) => selection.skipReason(path) === undefined, explicit: !selection.sniffs }
}
