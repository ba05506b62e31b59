import { join } from 'node:path'
import { DEFAULT_LIMITS, decodeText, parseYamlFile, type SourceFile } from '@planspec/validator'
import type { ActionFs } from '../action-types.js'
import { globPattern, matchesGlobs } from './glob-pattern.js'

/** A PlanSpec manifest: a YAML file with `apiVersion: planspec.io/…` (DECISIONS §6). */
export const MANIFEST = /^apiVersion:[ \t]*["']?planspec\.io\//m
const YAML = /\.ya?ml$/i
const SKIP_DIRS = new Set(['.git', 'node_modules', '.nx', 'dist'])
/** Files looked at in the workspace at most; a bigger tree is cut (and said so). */
export const MAX_WORKSPACE_FILES = 20_000

/** The manifests of the checkout, keyed by repository path, and the repository settings. */
export interface Workspace {
  readonly files: ReadonlyMap<string, SourceFile>
  readonly include: readonly RegExp[]
  readonly exclude: readonly RegExp[]
  readonly defaultNamespace?: string
  /** True when the walk stopped at {@link MAX_WORKSPACE_FILES}. */
  readonly truncated: boolean
}

/**
 * Reads the manifests of the checkout: YAML files matching `paths` (or `.planspec.yaml`'s
 * `paths`, else every `*.yaml`/`*.yml`) and not its `exclude`, whose text has a PlanSpec
 * `apiVersion`. Symbolic links are never followed and `.git`, `node_modules`, `dist` and `.nx`
 * are skipped (THREATS T10). A file over the validator's size limit is kept by size, unread.
 */
export async function readWorkspace(fs: ActionFs, cwd: string, paths: readonly string[]): Promise<Workspace> {
  const config = await readRepositoryConfig(fs, cwd)
  const globs = paths.length > 0 ? paths : config.paths.length > 0 ? config.paths : ['**/*.yaml', '**/*.yml']
  const include = globs.map(globPattern)
  const exclude = config.exclude.map(globPattern)
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
        if (!SKIP_DIRS.has(entry.name)) await walk(path)
        continue
      }
      if (!entry.isFile() || !YAML.test(entry.name) || entry.name === '.planspec.yaml' || !matchesGlobs(path, include, exclude)) continue
      if ((seen += 1) > MAX_WORKSPACE_FILES) {
        truncated = true
        return
      }
      const file = await readManifest(fs, cwd, path)
      if (file !== undefined) files.set(path, file)
    }
  }
  await walk('')
  return { files, include, exclude, truncated, ...(config.namespace === undefined ? {} : { defaultNamespace: config.namespace }) }
}

/** Reads one workspace file as a source file when it is a manifest (or too big to tell). */
export async function readManifest(fs: ActionFs, cwd: string, path: string): Promise<SourceFile | undefined> {
  const info = await fs.lstat(join(cwd, path)).catch(() => undefined)
  if (info === undefined || !info.isFile() || info.isSymbolicLink()) return undefined
  if (info.size > DEFAULT_LIMITS.maxFileBytes) return { file: path, size: info.size }
  const bytes = await fs.readFile(join(cwd, path))
  const text = decodeText(bytes)
  return text !== undefined && MANIFEST.test(text) ? { file: path, bytes } : undefined
}

/** The settings of `.planspec.yaml` at the workspace root that decide which files are manifests. */
async function readRepositoryConfig(fs: ActionFs, cwd: string): Promise<{ namespace?: string; paths: string[]; exclude: string[] }> {
  const bytes = await fs.readFile(join(cwd, '.planspec.yaml')).catch(() => undefined)
  const text = bytes === undefined ? undefined : decodeText(bytes)
  if (text === undefined) return { paths: [], exclude: [] }
  const value = parseYamlFile('.planspec.yaml', text, DEFAULT_LIMITS).documents[0]?.value
  const config = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [])
  return {
    ...(typeof config['namespace'] === 'string' ? { namespace: config['namespace'] } : {}),
    paths: strings(config['paths']),
    exclude: strings(config['exclude']),
  }
}
