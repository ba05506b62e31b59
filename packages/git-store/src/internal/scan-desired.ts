import { availableParallelism } from 'node:os'
import type { Diagnostic } from '@planspec/core'
import { createCheckPool, DEFAULT_LIMITS, type CheckPool, type Validator } from '@planspec/validator'
import { gitDiagnostic } from '../diagnostic-codes.js'
import type { ValidationWorkers } from '../types.js'
import { analysisKey, analysisOf, analyzeBlob, blobValidateOptions, isManifestCandidate, notAManifest, relabel, type BlobAnalysis, type BlobAt, type ManifestValidateOptions } from './analyze-blob.js'
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
  /** Worker threads for a read of many blobs (a cold read); without them, all is read here. */
  readonly workers?: ValidationWorkers
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
// A read of this many changed paths validates its blobs in worker threads (a one-file change, or a
// few, stays in this thread: a worker costs a start-up).
const WORKERS_FROM_PATHS = 256

/** A batch of loaded entries with the analyses of the blobs validated for it, by position. */
interface Analyzed {
  readonly loaded: readonly Loaded[]
  readonly analyses: ReadonlyMap<number, BlobAnalysis>
}

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
  const jobs = Math.max(1, input.workers?.jobs ?? availableParallelism())
  const pool = input.workers && jobs > 1 && pending.length >= WORKERS_FROM_PATHS ? createCheckPool({ workerUrl: input.workers.workerUrl, workers: jobs }) : undefined
  try {
    // Batches are read in order and validated (in workers, a few at a time), and settled in
    // order: the per-path state comes out as if read one by one.
    const inFlight: Promise<Analyzed>[] = []
    for (let i = 0; i < pending.length; i += READ_BATCH) {
      const batch = await Promise.all(pending.slice(i, i + READ_BATCH).map((entry) => load(input, entry, counters)))
      const analyzed = analyze(input, batch, pool)
      // Awaited in order below; if one fails, the read fails with its error, and the others' are dropped.
      analyzed.catch(() => undefined)
      inFlight.push(analyzed)
      while (inFlight.length > (pool ? jobs * 2 : 0)) settleBatch(input, await inFlight.shift()!, paths, counters)
    }
    while (inFlight.length) settleBatch(input, await inFlight.shift()!, paths, counters)
  } finally {
    await pool?.close()
  }
  return paths
}

/** Validates the new blobs of a loaded batch: in a worker when there is a pool, else here. */
async function analyze(input: ScanInput, loaded: readonly Loaded[], pool: CheckPool | undefined): Promise<Analyzed> {
  const analyses = new Map<number, BlobAnalysis>()
  const toValidate: { index: number; at: BlobAt; bytes: Uint8Array }[] = []
  loaded.forEach((item, index) => {
    if (!('bytes' in item)) return
    const at: BlobAt = { file: item.entry.path, oid: item.entry.oid, namespace: input.namespace, explicit: item.explicit, options: input.options }
    if (!isManifestCandidate(item.bytes, item.explicit)) analyses.set(index, notAManifest(at))
    else if (pool) toValidate.push({ index, at, bytes: item.bytes })
    else analyses.set(index, analyzeBlob(input.validator, item.bytes, at))
  })
  if (pool && toValidate.length) {
    const options = blobValidateOptions(toValidate[0]!.at)
    const results = await pool.validateEach(toValidate.map((v) => ({ file: v.at.file, bytes: v.bytes })), options, { ...DEFAULT_LIMITS, ...options.limits })
    results.forEach((result, i) => analyses.set(toValidate[i]!.index, analysisOf(result, toValidate[i]!.at)))
  }
  return { loaded, analyses }
}

function settleBatch(input: ScanInput, batch: Analyzed, paths: Map<string, PathState>, counters: ScanCounters): void {
  batch.loaded.forEach((loaded, index) => settle(input, loaded, batch.analyses.get(index), paths, counters))
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

function settle(input: ScanInput, loaded: Loaded, validated: BlobAnalysis | undefined, paths: Map<string, PathState>, counters: ScanCounters): void {
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
    analysis = validated!
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
