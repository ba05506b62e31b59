import type { Diagnostic, ObjectKey, StoredResource } from '@planspec/core'
import { ApiError, type StatusCause } from './error-catalog.js'
import { fieldPath } from './field-path.js'
import { API_VERSION, kindByName, type KindEntry } from './kinds.js'
import type { ValidationService } from '../validation/validation-pool.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/**
 * Metadata fields the server owns (RESOURCES M1), dropped from client input. `managedFields` is
 * kept by the server for each field manager (server-side apply); a client's copy (e.g. an object
 * read and sent back by a client library) is ignored rather than refused.
 */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields'] as const

/** Where a write is addressed: the kind of the URL, its namespace and (for replace) its name. */
export interface WriteTarget {
  readonly entry: KindEntry
  /** The URL's namespace; absent for cluster-scoped kinds. */
  readonly namespace?: string
  /** The URL's name (replace, patch, status); absent for create. */
  readonly name?: string
}

/** A validator warning about an admitted object; `missing` is the object a PS4001 reference names. */
export interface AdmissionWarning {
  readonly text: string
  readonly missing?: ObjectKey
}

/** An admitted object and the validator's warnings about it. */
export interface Admitted {
  readonly object: StoredResource
  /** The client's `metadata.resourceVersion`, if it sent one (a compare-and-swap precondition). */
  readonly resourceVersion: string | undefined
  readonly warnings: readonly AdmissionWarning[]
}

/**
 * Checks a body against the URL it was sent to and validates it, before anything is stored:
 * - not a JSON object, `apiVersion` or `kind` not the URL's, a namespace that differs from the
 *   URL's (or any namespace on a cluster-scoped kind), a name that differs from the URL's: 400;
 * - a missing or non-DNS-label name, or any validator error (schema, graph, policy): 422 with one
 *   cause per finding.
 * `status` and the server-owned metadata are dropped (status is written through `/status` only);
 * a missing namespace is taken from the URL. Warnings (e.g. references to objects elsewhere) are
 * returned for the `Warning` header.
 */
export async function admitObject(body: unknown, target: WriteTarget, validation: ValidationService): Promise<Admitted> {
  const { entry } = target
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BadRequest', 'the request body must be a JSON object')
  const input = body as Record<string, unknown>
  if (input.apiVersion !== API_VERSION) {
    throw new ApiError('BadRequest', `the API version in the data (${describe(input.apiVersion)}) does not match the expected API version (${API_VERSION})`)
  }
  if (input.kind !== entry.kind) throw new ApiError('BadRequest', `the kind in the data (${describe(input.kind)}) does not match the expected kind (${entry.kind})`)
  const rawMeta = input.metadata
  if (rawMeta === null || typeof rawMeta !== 'object' || Array.isArray(rawMeta)) {
    throw invalid(entry, target.name, [{ reason: 'FieldValueRequired', message: 'metadata is required', field: 'metadata' }])
  }
  const metadata: Record<string, unknown> = { ...(rawMeta as Record<string, unknown>) }
  if (entry.namespaced) {
    if (metadata.namespace === undefined || metadata.namespace === '') metadata.namespace = target.namespace
    else if (metadata.namespace !== target.namespace) {
      throw new ApiError('BadRequest', `the namespace of the provided object (${describe(metadata.namespace)}) does not match the namespace sent on the request (${target.namespace})`)
    }
  } else if (metadata.namespace !== undefined) {
    throw new ApiError('BadRequest', `${entry.kind} is cluster-scoped: metadata.namespace must be absent`)
  }
  const name = metadata.name
  if (target.name !== undefined && name !== undefined && name !== target.name) {
    throw new ApiError('BadRequest', `the name of the object (${describe(name)}) does not match the name on the URL (${target.name})`)
  }
  if (name === undefined || name === '') throw invalid(entry, target.name, [{ reason: 'FieldValueRequired', message: 'name is required', field: 'metadata.name' }])
  if (typeof name !== 'string' || name.length > 63 || !DNS_LABEL.test(name)) {
    throw invalid(entry, typeof name === 'string' ? name : target.name, [
      { reason: 'FieldValueInvalid', message: `${describe(name)} is not a DNS label: lowercase letters, digits and "-", alphanumeric at both ends, at most 63 characters`, field: 'metadata.name' },
    ])
  }
  const resourceVersion = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined
  for (const field of SERVER_FIELDS) delete metadata[field]
  const { status: _ignored, ...rest } = input
  const object = { ...rest, metadata } as unknown as StoredResource
  const diagnostics = await validateOne(validation, object)
  const errors = diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw invalid(entry, name, errors.map(toCause))
  return { object, resourceVersion, warnings: diagnostics.filter((d) => d.severity === 'warning').map(toWarning) }
}

// The validator checks one object at a time here, so every reference is "outside the file set"
// (PS4001); the server knows better and drops the warning when the object exists (realWarnings).
const MISSING_REFERENCE = /^([A-Za-z]+) "([a-z0-9-]*)\/([^"]+)" is not in the validated files$/

function toWarning(diagnostic: Diagnostic): AdmissionWarning {
  const text = `${diagnostic.code}: ${diagnostic.message}`
  const missing = diagnostic.code === 'PS4001' ? MISSING_REFERENCE.exec(diagnostic.message) : null
  if (missing === null) return { text }
  const [, kind = '', namespace = '', name = ''] = missing
  return { text, missing: { kind, namespace: kindByName(kind)?.namespaced === false ? '' : namespace, name } }
}

/**
 * Returns the warnings worth sending, each once: a reference warning (PS4001) is dropped when the
 * referenced object exists (`exists`, e.g. in the write's transaction, after a batch's writes).
 */
export function realWarnings(warnings: readonly AdmissionWarning[], exists: (key: ObjectKey) => boolean): string[] {
  const texts = new Set<string>()
  for (const warning of warnings) if (warning.missing === undefined || !exists(warning.missing)) texts.add(warning.text)
  return [...texts]
}

/** Runs the validator over one object (as a JSON document; JSON is YAML 1.2), off the event loop, and returns its findings. */
export async function validateOne(validation: ValidationService, object: unknown): Promise<readonly Diagnostic[]> {
  return (await validation.check([{ file: 'request.json', text: JSON.stringify(withoutManagedFields(object)) }])).diagnostics
}

/** Drops `metadata.managedFields` (the server's bookkeeping, which the file schemas do not allow) before validation. */
function withoutManagedFields(object: unknown): unknown {
  const metadata = (object as { metadata?: unknown } | null)?.metadata
  if (metadata === null || typeof metadata !== 'object' || !('managedFields' in metadata)) return object
  const { managedFields: _m, ...rest } = metadata as Record<string, unknown>
  return { ...(object as Record<string, unknown>), metadata: rest }
}

/** Maps a validator finding to a Status cause; the finding's code leads the message. */
export function toCause(diagnostic: Diagnostic): StatusCause {
  const reason = diagnostic.code === 'PS2005' ? 'FieldValueRequired' : diagnostic.code === 'PS2007' ? 'FieldValueNotSupported' : 'FieldValueInvalid'
  return { reason, message: `${diagnostic.code}: ${diagnostic.message}`, field: fieldPath(diagnostic.path) }
}

/** Builds the 422 Invalid error Kubernetes returns for a rejected object. */
export function invalid(entry: KindEntry, name: string | undefined, causes: readonly StatusCause[]): ApiError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ')
  // Kubernetes names the kind (not the plural) in an Invalid Status: kubectl prints `The Goal "x" is invalid`.
  return new ApiError('Invalid', `${entry.kind} ${JSON.stringify(name ?? '')} is invalid: ${summary}`, { ...(name === undefined ? {} : { name }), group: 'planspec.io', kind: entry.kind, causes })
}

function describe(value: unknown): string {
  return value === undefined ? 'none' : JSON.stringify(value)
}
