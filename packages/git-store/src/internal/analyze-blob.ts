import type { Diagnostic } from '@planspec/core'
import type { Resource, ValidateOptions, Validator } from '@planspec/validator'

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

// `apiVersion: planspec.io/...` in block or flow style, quoted or not.
const PLANSPEC_API_VERSION = /(?:^|[\s{,])["']?apiVersion["']?\s*:\s*["']?planspec\.io\//m
const SNIFF_BYTES = 64 * 1024

/**
 * Sniffs whether a YAML file is a PlanSpec manifest: its first 64 KiB name a `planspec.io/`
 * apiVersion (block or flow style, quoted or not). The one test the agent, the CLI's `validate`
 * and the Action apply to files they were not told to validate (docker-compose, Kubernetes, CI
 * files are skipped and counted).
 *
 * @example
 * looksLikePlanSpec(Buffer.from('apiVersion: planspec.io/v1alpha1\nkind: Goal\n')) // true
 */
export function looksLikePlanSpec(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, SNIFF_BYTES)).toString('utf8')
  return PLANSPEC_API_VERSION.test(head)
}

/** The cache key part that is not the blob id. */
export function analysisKey(namespace: string | undefined, explicit: boolean, options: ManifestValidateOptions): string {
  return JSON.stringify([namespace ?? '', explicit, options.compat ?? false, options.limits ?? {}])
}

/**
 * Validates one blob on its own. In default mode a blob whose first 64 KiB name no planspec.io
 * apiVersion is not a manifest and is not parsed. References to resources in other files
 * (PS4001) are left out: the file set is the whole tree, and one file alone cannot judge them.
 */
export function analyzeBlob(validator: Validator, bytes: Uint8Array, at: { readonly file: string; readonly oid: string; readonly namespace: string | undefined; readonly explicit: boolean; readonly options: ManifestValidateOptions }): BlobAnalysis {
  const key = analysisKey(at.namespace, at.explicit, at.options)
  const base = { oid: at.oid, file: at.file, key }
  if (!at.explicit) {
    if (!looksLikePlanSpec(bytes)) return { ...base, manifest: false, resources: [], diagnostics: [], fileInvalid: false, invalid: new Set() }
  }
  const result = validator.validate([{ file: at.file, bytes }], { ...at.options, defaultNamespace: at.namespace, closed: false })
  const diagnostics = result.diagnostics.filter((d) => d.code !== 'PS4001')
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
  return { ...base, manifest: true, resources: result.resources, diagnostics, fileInvalid, invalid }
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
