import { join } from 'node:path'
import { PlanSpecError, type RepositoryConfig } from '@planspec/core'
import { createFileSelection, DEFAULT_LIMITS, isPlanSpecDocument, parseRepositoryConfig, REPOSITORY_CONFIG_FILE, type FileSelection, type SourceFile } from '@planspec/validator'
import type { ActionFs } from '../action-types.js'
/** Files looked at in the workspace at most; a bigger tree is cut (and said so). */
export const MAX_WORKSPACE_FILES = 20_000

/** The manifests of the checkout, keyed by repository path, and the repository settings. */
export interface Workspace {
  readonly files: ReadonlyMap<string, SourceFile>
  /** The one file selection (CLI and agent share it): `paths` (the input's, else the config's) and `exclude`. */
  readonly selection: FileSelection
  readonly defaultNamespace?: string
  /** True when the walk stopped at {@link MAX_WORKSPACE_FILES}. */
  readonly truncated: boolean
}

/** `.planspec.yaml` is not a valid repository config (the same check the CLI and the agent make). */
export class RepositoryConfigError extends PlanSpecError {
  constructor(reason: string) {
    super(`${REPOSITORY_CONFIG_FILE} is invalid: ${reason}`, { code: 'PLANSPEC_ERR_ACTION_REPOSITORY_CONFIG', data: { reason }, terminal: true })
  }
}

/**
 * Reads the manifests of the checkout with the validator's file selection (the CLI's and the
 * agent's): YAML files matching `paths` (the input, else `.planspec.yaml`'s `paths`; without any,
 * every YAML file whose text has a PlanSpec `apiVersion`) and not its `exclude`. Symbolic links
 * are never followed and `.git`, `node_modules`, `dist` and `.nx` are skipped (THREATS T10). A
 * file over the validator's size limit is kept by size, unread. Throws
 * {@link RepositoryConfigError} when `.planspec.yaml` does not pass the repository-config schema.
 */
export async function readWorkspace(fs: ActionFs, cwd: string, paths: readonly string[]): Promise<Workspace> {
  const config = await readRepositoryConfig(fs, cwd)
  const selection = createFileSelection({ paths: paths.length > 0 ? paths : config.paths, exclude: config.exclude })
  const files = new Map<string, SourceFile>()
  let seen = 0
  let truncated = false
  const walk = async (relative: string): Promise<void> => {
    const entries = await fs.readdir(relative === '' ? cwd : join(cwd, relative)).catch(() => [])
    for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (truncated) return
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.isSymbolicLink()) continue
      if (entry.isDirectory()) {
        if (selection.entersDirectory(path)) await walk(path)
        continue
      }
      if (!entry.isFile() || selection.skipReason(path) !== undefined) continue
      if ((seen += 1) > MAX_WORKSPACE_FILES) {
        truncated = true
        return
      }
      const file = await readManifest(fs, cwd, path, selection)
      if (file !== undefined) files.set(path, file)
    }
  }
  await walk('')
  return { files, selection, truncated, ...(config.namespace === undefined ? {} : { defaultNamespace: config.namespace }) }
}

/** Reads one workspace file as a source file when it is a manifest (or too big to tell). */
export async function readManifest(fs: ActionFs, cwd: string, path: string, selection: FileSelection): Promise<SourceFile | undefined> {
  const info = await fs.lstat(join(cwd, path)).catch(() => undefined)
  if (info === undefined || !info.isFile() || info.isSymbolicLink()) return undefined
  if (info.size > DEFAULT_LIMITS.maxFileBytes) return { file: path, size: info.size }
  const bytes = await fs.readFile(join(cwd, path))
  return !selection.sniffs || isPlanSpecDocument(bytes) ? { file: path, bytes } : undefined
}

/** Reads `.planspec.yaml` at the workspace root with the validator's one reader; none is the empty config. */
async function readRepositoryConfig(fs: ActionFs, cwd: string): Promise<RepositoryConfig> {
  const bytes = await fs.readFile(join(cwd, REPOSITORY_CONFIG_FILE)).catch(() => undefined)
  if (bytes === undefined) return {}
  const read = parseRepositoryConfig(bytes)
  if ('error' in read) throw new RepositoryConfigError(read.error)
  return read.config
}
