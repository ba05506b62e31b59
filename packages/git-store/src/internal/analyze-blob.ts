import type { Diagnostic } from '@planspec/core'
import { isPlanSpecDocument, type Resource, type ValidateOptions, type Validator } from '@planspec/validator'

/** What one manifest blob holds, as the validator sees it alone. Cached by blob id. */
export interface BlobAnalysis {
  readonly oid: string
  /** The path it was analysed under: `file` of its resources and diagnostics. */
  readonly file: string
  /** What the analysis depends on besides the bytes (default namespace, mode, options). */
  readonly key: string
  /** False when the file is not a PlanSpec manifest (default mode, no planspec.io apiVersion). */
  readonly manifest: boolean
  readonly resources: readonly Resource[]
  readonly diagnostics: readonly Diagnostic[]
  /** An error that cannot be pinned on one resource (a syntax error, a nameless document). */
  readonly fileInvalid: boolean
  /** `kind/name` of the resources with errors. */
  readonly invalid: ReadonlySet<string>
}

/** The validator options a store run passes on (cross-file checks are the store's own). */
export type ManifestValidateOptions = Pick<ValidateOptions, 'compat' | 'limits'>


/** The cache key part that is not the blob id. */
export function analysisKey(namespace: string | undefined, explicit: boolean, options: ManifestValidateOptions): string {
  return JSON.stringify([namespace ?? '', explicit, options.compat ?? false, options.limits ?? {}])
}

/** Where a blob is analysed: its path, id, the default namespace, and how it is told a manifest. */
export interface BlobAt {
  readonly file: string
  readonly oid: string
  readonly namespace: string | undefined
  readonly explicit: boolean
  readonly options: ManifestValidateOptions
}

/**
 * Tells whether a blob is to be validated as a manifest: always when `explicit` (chosen by the
 * `paths` globs, or a path that held manifests), else when the validator's one sniff
 * (`isPlanSpecDocument`) says it is a PlanSpec document.
 */
export function isManifestCandidate(bytes: Uint8Array, explicit: boolean): boolean {
  return explicit || isPlanSpecDocument(bytes)
}

/** The analysis of a blob that is not a manifest (nothing was parsed). */
export function notAManifest(at: BlobAt): BlobAnalysis {
  return { oid: at.oid, file: at.file, key: analysisKey(at.namespace, at.explicit, at.options), manifest: false, resources: [], diagnostics: [], fileInvalid: false, invalid: new Set() }
}

/** The validator options of one blob: references to other files are the store's own business. */
export function blobValidateOptions(at: BlobAt): ValidateOptions {
  // One file alone cannot judge references to others (and reporting them would cost a positioned
  // parse of nearly every file).
  return { ...at.options, defaultNamespace: at.namespace, closed: false, outsideReferences: false }
}

/**
 * Validates one blob on its own. In default mode a blob whose first 64 KiB name no planspec.io
 * apiVersion is not a manifest and is not parsed. References to resources in other files
 * (PS4001) are left out: the file set is the whole tree, and one file alone cannot judge them.
 */
export function analyzeBlob(validator: Validator, bytes: Uint8Array, at: BlobAt): BlobAnalysis {
  if (!isManifestCandidate(bytes, at.explicit)) return notAManifest(at)
  return analysisOf(validator.validate([{ file: at.file, bytes }], blobValidateOptions(at)), at)
}

/** Turns what the validator found in one blob, validated alone, into the blob's analysis. */
export function analysisOf(result: { readonly diagnostics: readonly Diagnostic[]; readonly resources: readonly Resource[] }, at: BlobAt): BlobAnalysis {
  const diagnostics = result.diagnostics
  const named = new Set(result.resources.map((r) => `${r.kind}/${r.name}`))
  const invalid = new Set<string>()
  let fileInvalid = false
  for (const d of diagnostics) {
    if (d.severity !== 'error') continue
    const id = `${d.kind ?? ''}/${d.name ?? ''}`
    if (d.kind && d.name && named.has(id)) invalid.add(id)
    else fileInvalid = true
  }
  for (const r of result.resources) if (!r.schemaValid) invalid.add(`${r.kind}/${r.name}`)
  return { oid: at.oid, file: at.file, key: analysisKey(at.namespace, at.explicit, at.options), manifest: true, resources: result.resources, diagnostics, fileInvalid, invalid }
}

/** Returns the analysis as if made under `file` (a renamed or copied blob: same bytes). */
export function relabel(analysis: BlobAnalysis, file: string): BlobAnalysis {
  if (analysis.file === file) return analysis
  return {
    ...analysis,
    file,
    resources: analysis.resources.map((r) => ({ ...r, file })),
    diagnostics: analysis.diagnostics.map((d) => ({ ...d, file })),
  }
}
