import type { Diagnostic } from '@planspec/core'
import type { Validator } from '@planspec/validator'
import { gitDiagnostic } from '../diagnostic-codes.js'
import { analysisKey, analyzeBlob, relabel, type BlobAnalysis, type ManifestValidateOptions } from './analyze-blob.js'
import { diffTrees, type TreeFileEntry, type TreeVisitor } from './diff-trees.js'
import { readBlobBytes } from './git-objects.js'
import type { RepoContext } from './open-repository.js'
import { effectiveResources, type PathState, type StampContext } from './path-state.js'
import type { CandidateFilter } from './repository-config.js'
import { rememberBlob } from './remember-blob.js'

/** What {@link scanDesired} needs. */
export interface ScanInput {
  readonly context: RepoContext
  readonly tree: string
  /** The previous tree to diff against; undefined for a full read. */
  readonly baseTree: string | undefined
  readonly previousPaths: ReadonlyMap<string, PathState> | undefined
  readonly filter: CandidateFilter
  readonly namespace: string | undefined
  readonly options: ManifestValidateOptions
  readonly validator: Validator
  readonly stamp: StampContext
}

/** Counters of one scan. */
export interface ScanCounters {
  trees: number
  blobsRead: number
  blobsParsed: number
  cacheHits: number
  pathsChanged: number
}

type Loaded =
  | { readonly entry: TreeFileEntry; readonly reuse: PathState }
  | { readonly entry: TreeFileEntry; readonly refusal: Diagnostic }
  | { readonly entry: TreeFileEntry; readonly analysis: BlobAnalysis }
  | { readonly entry: TreeFileEntry; readonly bytes: Uint8Array; readonly explicit: boolean }

const READ_BATCH = 32

function refusalOf(entry: TreeFileEntry): Diagnostic {
  if (entry.type === 'symlink') return gitDiagnostic('PS7001', entry.path, `${entry.path} is a symbolic link (mode 120000); links are never followed, the entry was not read`)
  return gitDiagnostic('PS7003', entry.path, `${entry.path} has mode ${entry.mode} (${entry.type === 'gitlink' ? 'a submodule' : 'not a regular file'}); it was not read`)
}

/**
 * Brings the per-path state up to date with `tree`: walks only what changed since `baseTree`
 * (everything on a full read), reads and validates only blobs that are new to the cache, and
 * re-decides the resources of the paths that changed. Returns the new per-path map.
 */
export async function scanDesired(input: ScanInput, counters: ScanCounters): Promise<Map<string, PathState>> {
  const { context, filter, previousPaths } = input
  const paths = new Map<string, PathState>(input.baseTree === undefined ? [] : (previousPaths ?? []))
  const pending: TreeFileEntry[] = []
  const visitor: TreeVisitor = {
    file(entry) {
      if (filter.accepts(entry.path)) pending.push(entry)
      else paths.delete(entry.path)
    },
    remove(path) {
      paths.delete(path)
    },
    removeDir(path) {
      const prefix = `${path}/`
      for (const key of [...paths.keys()]) if (key.startsWith(prefix)) paths.delete(key)
    },
    refuse(path, code, message) {
      const refusal = gitDiagnostic(code, path, message)
      const { effective, notes } = effectiveResources({ oid: '', refusal }, previousPaths?.get(path)?.effective ?? [], input.stamp)
      paths.set(path, { oid: '', mode: '', analysis: undefined, refusal, effective, diagnostics: [refusal, ...notes] })
    },
  }
  const walk = { trees: 0 }
  await diffTrees(context, input.baseTree, input.tree, visitor, walk)
  counters.trees += walk.trees
  counters.pathsChanged += pending.length
  for (let i = 0; i < pending.length; i += READ_BATCH) {
    const batch = await Promise.all(pending.slice(i, i + READ_BATCH).map((entry) => load(input, entry, counters)))
    for (const loaded of batch) settle(input, loaded, paths, counters)
  }
  return paths
}

async function load(input: ScanInput, entry: TreeFileEntry, counters: ScanCounters): Promise<Loaded> {
  if (entry.type !== 'blob') return { entry, refusal: refusalOf(entry) }
  const previous = input.previousPaths?.get(entry.path)
  // A path that held manifests stays one: content that no longer looks like a manifest is
  // reported and handled as an invalid version (last known good), never dropped silently.
  const explicit = input.filter.explicit || (previous?.effective.length ?? 0) > 0
  const key = analysisKey(input.namespace, explicit, input.options)
  if (previous && previous.oid === entry.oid && previous.mode === entry.mode && previous.analysis?.key === key) return { entry, reuse: previous }
  const cached = input.context.cache.desiredBlobs.get(entry.oid)
  if (cached && cached.key === key) {
    counters.cacheHits++
    return { entry, analysis: relabel(cached, entry.path) }
  }
  counters.blobsRead++
  return { entry, bytes: await readBlobBytes(input.context, entry.oid), explicit }
}

function settle(input: ScanInput, loaded: Loaded, paths: Map<string, PathState>, counters: ScanCounters): void {
  const { entry } = loaded
  if ('reuse' in loaded) {
    paths.set(entry.path, loaded.reuse)
    return
  }
  let analysis: BlobAnalysis | undefined
  let refusal: Diagnostic | undefined
  if ('refusal' in loaded) refusal = loaded.refusal
  else if ('analysis' in loaded) analysis = loaded.analysis
  else {
    analysis = analyzeBlob(input.validator, loaded.bytes, { file: entry.path, oid: entry.oid, namespace: input.namespace, explicit: loaded.explicit, options: input.options })
    if (analysis.manifest) counters.blobsParsed++
    const cache = input.context.cache
    rememberBlob(cache.desiredBlobs, cache.maxBlobs, entry.oid, analysis)
  }
  if (analysis && !analysis.manifest) {
    paths.delete(entry.path)
    return
  }
  const previous = input.previousPaths?.get(entry.path)?.effective ?? []
  const { effective, notes } = effectiveResources({ oid: entry.oid, analysis, refusal }, previous, input.stamp)
  const diagnostics = [...(refusal ? [refusal] : []), ...(analysis?.diagnostics ?? []), ...notes]
  paths.set(entry.path, { oid: entry.oid, mode: entry.mode, analysis, refusal, effective, diagnostics })
}
