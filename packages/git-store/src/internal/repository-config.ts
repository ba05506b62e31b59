import { compileGlob } from './compile-glob.js'
import { isRecord, parseDocument } from './parse-document.js'

/** The repository configuration file, at the root of the tracked tree. */
export const CONFIG_FILE = '.planspec.yaml'

/** The parts of `.planspec.yaml` the git source uses. */
export interface RepositoryConfig {
  readonly namespace?: string
  readonly paths?: readonly string[]
  readonly exclude?: readonly string[]
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
const MAX_CONFIG_BYTES = 64 * 1024

function stringList(value: unknown): readonly string[] | undefined | false {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.length > 256 || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024)) return false
  return value as string[]
}

/**
 * Reads `.planspec.yaml` content: `namespace` (a DNS label), `paths` and `exclude` (glob lists).
 * Other keys (contexts, ...) are the CLI's and are ignored. Returns an error message instead of a
 * config when the file is unusable.
 */
export function parseRepositoryConfig(bytes: Uint8Array): { readonly config: RepositoryConfig } | { readonly error: string } {
  const parsed = parseDocument(CONFIG_FILE, bytes, MAX_CONFIG_BYTES)
  if (parsed.error !== undefined) return { error: parsed.error }
  if (!isRecord(parsed.value)) return { error: 'the file must hold a mapping' }
  const { namespace, paths, exclude } = parsed.value
  if (namespace !== undefined && namespace !== null && (typeof namespace !== 'string' || !DNS_LABEL.test(namespace))) return { error: 'namespace must be a DNS label' }
  const include = stringList(paths)
  const skip = stringList(exclude)
  if (include === false) return { error: 'paths must be a list of globs' }
  if (skip === false) return { error: 'exclude must be a list of globs' }
  return { config: { ...(typeof namespace === 'string' ? { namespace } : {}), ...(include ? { paths: include } : {}), ...(skip ? { exclude: skip } : {}) } }
}

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

const YAML_FILE = /\.ya?ml$/i

/** Builds the candidate filter of a config. */
export function candidateFilter(config: RepositoryConfig): CandidateFilter {
  const include = config.paths?.length ? config.paths.map(compileGlob) : undefined
  const exclude = (config.exclude ?? []).map(compileGlob)
  const accepts = (path: string): boolean => {
    if (path === CONFIG_FILE) return false
    if (include ? !include.some((m) => m(path)) : !YAML_FILE.test(path)) return false
    return !exclude.some((m) => m(path))
  }
  return { accepts, explicit: include !== undefined }
}
