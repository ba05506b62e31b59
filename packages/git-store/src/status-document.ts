import { formatObjectKey, type ChangeAuthor, type RefusedRequestNote, type StatusDoc } from '@planspec/core'
import { stringify } from 'yaml'
import { gitDiagnostic } from './diagnostic-codes.js'
import { isRecord, parseDocument } from './internal/parse-document.js'
import type { ParsedStatusBlob } from './internal/status-layout.js'
import type { ResourceIdentity } from './resource-identity.js'

/**
 * The status of one resource to write on the status branch: core's `StatusDoc` (its git-mode
 * bookkeeping included) and the identity to persist with it.
 */
export interface StatusUpdate extends StatusDoc {
  /** Git-mode metadata to persist (uid, generation, ...); see `ResourceIdentity`. Its uid is the document's `uid` when read back. */
  readonly identity?: ResourceIdentity
}

/** Removes a resource's status file (the resource is gone from the tracked branch). */
export interface StatusDeletion {
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly delete: true
}

/** One change given to `writeStatusCommit`. */
export type StatusChange = StatusUpdate | StatusDeletion

/** A status file read from the status branch: core's `StatusDoc`, with where it was read from. */
export interface StoredStatus extends StatusUpdate {
  /** The controllers' status (a mapping), without the bookkeeping. */
  readonly status: Readonly<Record<string, unknown>>
  /** `kind/namespace/name`. */
  readonly subject: string
  readonly path: string
  readonly blob: string
}

/** Largest status file read back (a status is bounded well below; anything larger is garbage). */
export const MAX_STATUS_BYTES = 4 * 1024 * 1024

const API_VERSION = 'planspec.io/v1alpha1'

/** Where the agents keep git mode's bookkeeping (run revision, applied and refused requests, change author) inside a stored status. */
export const AGENT_EXTENSION = 'io.planspec.agent'
/** Refused requests kept per Execution. */
const MAX_REFUSED = 100
const KEYS = new Set(['apiVersion', 'kind', 'metadata', 'identity', 'observedGeneration', 'sourceCommit', 'status'])
const SHA = /^[0-9a-f]{40}$/

/** Returns a copy with mapping keys sorted at every depth, so equal statuses give equal bytes. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted)
  if (!isRecord(value)) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    if (value[key] !== undefined) Object.defineProperty(out, key, { value: sorted(value[key]), enumerable: true, writable: true, configurable: true })
  }
  return out
}

/** Renders a status file: fixed top-level order, sorted keys inside `status`, no aliases. */
export function renderStatusDocument(update: StatusUpdate): string {
  const document: Record<string, unknown> = {
    apiVersion: API_VERSION,
    kind: update.kind,
    metadata: { namespace: update.namespace, name: update.name },
    ...(update.identity
      ? { identity: { uid: update.identity.uid, generation: update.identity.generation, specHash: update.identity.specHash, introducedIn: update.identity.introducedIn, creationTimestamp: update.identity.creationTimestamp } }
      : {}),
    ...(update.observedGeneration === undefined ? {} : { observedGeneration: update.observedGeneration }),
    ...(update.sourceRevision === undefined ? {} : { sourceCommit: update.sourceRevision }),
    status: sorted(withBookkeeping(update)),
  }
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })
}

function identityOf(value: unknown): ResourceIdentity | string {
  if (!isRecord(value)) return 'identity must be a mapping'
  const { uid, generation, specHash, introducedIn, creationTimestamp } = value
  if (typeof uid !== 'string' || !uid) return 'identity.uid must be a string'
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 1) return 'identity.generation must be a positive integer'
  if (typeof specHash !== 'string' || !specHash.startsWith('sha256:')) return 'identity.specHash must be sha256:<hex>'
  if (typeof introducedIn !== 'string' || !SHA.test(introducedIn)) return 'identity.introducedIn must be a commit id'
  if (typeof creationTimestamp !== 'string' || Number.isNaN(Date.parse(creationTimestamp))) return 'identity.creationTimestamp must be a time'
  if (Object.keys(value).length !== 5) return 'identity has unknown fields'
  return { uid, generation, specHash, introducedIn, creationTimestamp }
}

/**
 * Parses a status file found at `path` for resource `key`. Anything but a document this store
 * writes (hand edits, garbage, a file for another resource) gives an `invalid` result with a
 * PS7010 diagnostic: the caller treats the status as absent. Never throws.
 */
export function parseStatusDocument(path: string, bytes: Uint8Array, blob: string, key: { readonly kind: string; readonly namespace: string; readonly name: string }): ParsedStatusBlob {
  const invalid = (why: string): ParsedStatusBlob => ({ type: 'invalid', diagnostic: gitDiagnostic('PS7010', path, `${path}: ${why}; the status is treated as absent`, { kind: key.kind, name: key.name }) })
  const parsed = parseDocument(path, bytes, MAX_STATUS_BYTES)
  if (parsed.error !== undefined) return invalid(parsed.error)
  const doc = parsed.value
  if (!isRecord(doc)) return invalid('the document must be a mapping')
  const unknown = Object.keys(doc).find((k) => !KEYS.has(k))
  if (unknown !== undefined) return invalid(`unknown field ${JSON.stringify(unknown.slice(0, 40))}`)
  if (typeof doc.apiVersion !== 'string' || !doc.apiVersion.startsWith('planspec.io/')) return invalid('apiVersion must be planspec.io/...')
  if (doc.kind !== key.kind) return invalid(`kind must be ${key.kind}, as the path says`)
  const metadata = doc.metadata
  if (!isRecord(metadata) || metadata.name !== key.name || (metadata.namespace ?? '') !== key.namespace) return invalid('metadata must name the resource the path names')
  if (!isRecord(doc.status)) return invalid('status must be a mapping')
  const { observedGeneration, sourceCommit } = doc
  const status = doc.status
  if (observedGeneration !== undefined && (typeof observedGeneration !== 'number' || !Number.isInteger(observedGeneration) || observedGeneration < 0)) return invalid('observedGeneration must be a non-negative integer')
  if (sourceCommit !== undefined && (typeof sourceCommit !== 'string' || !SHA.test(sourceCommit))) return invalid('sourceCommit must be a commit id')
  const identity = doc.identity === undefined ? undefined : identityOf(doc.identity)
  if (typeof identity === 'string') return invalid(identity)
  const value: StoredStatus = {
    kind: key.kind,
    namespace: key.namespace,
    name: key.name,
    subject: formatObjectKey(key),
    path,
    blob,
    ...(identity ? { identity, uid: identity.uid } : {}),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
    ...(sourceCommit === undefined ? {} : { sourceRevision: sourceCommit }),
    ...bookkeepingOf(status),
    status: withoutBookkeeping(status),
  }
  return { type: 'status', value }
}

/** The status as stored: the bookkeeping fields inside `status.extensions` under {@link AGENT_EXTENSION}. */
function withBookkeeping(update: StatusUpdate): Record<string, unknown> {
  const status: Record<string, unknown> = isRecord(update.status) ? { ...update.status } : {}
  if (update.runRevision === undefined && update.appliedRequests === undefined && update.changeAuthor === undefined && update.refusedRequests === undefined) return status
  const agent = {
    ...(update.runRevision ? { runRevision: update.runRevision } : {}),
    ...(update.appliedRequests ? { appliedRequests: [...update.appliedRequests] } : {}),
    ...(update.changeAuthor ? { changeAuthor: { subject: update.changeAuthor.subject, commit: update.changeAuthor.commit } } : {}),
    ...(update.refusedRequests?.length ? { refusedRequests: update.refusedRequests.slice(-MAX_REFUSED).map((r) => ({ id: r.id, reason: r.reason })) } : {}),
  }
  return { ...status, extensions: { ...(isRecord(status.extensions) ? status.extensions : {}), [AGENT_EXTENSION]: agent } }
}

/** The bookkeeping fields a stored status carries; malformed ones are left out (treated as absent). */
function bookkeepingOf(status: Record<string, unknown>): Pick<StatusDoc, 'runRevision' | 'appliedRequests' | 'changeAuthor' | 'refusedRequests'> {
  const agent = isRecord(status.extensions) ? status.extensions[AGENT_EXTENSION] : undefined
  if (!isRecord(agent)) return {}
  const { runRevision, appliedRequests, changeAuthor, refusedRequests } = agent
  const notes = Array.isArray(refusedRequests) ? refusedRequests.filter((r): r is RefusedRequestNote => isRecord(r) && typeof r.id === 'string' && typeof r.reason === 'string').map((r) => ({ id: r.id, reason: r.reason })) : undefined
  return {
    ...(typeof runRevision === 'string' && runRevision ? { runRevision } : {}),
    ...(Array.isArray(appliedRequests) ? { appliedRequests: appliedRequests.filter((r): r is string => typeof r === 'string') } : {}),
    ...(notes ? { refusedRequests: notes } : {}),
    ...(isChangeAuthor(changeAuthor) ? { changeAuthor: { subject: changeAuthor.subject, commit: changeAuthor.commit } } : {}),
  }
}

function isChangeAuthor(value: unknown): value is ChangeAuthor {
  return isRecord(value) && typeof value.subject === 'string' && typeof value.commit === 'string' && SHA.test(value.commit)
}

/** The status without the bookkeeping extension (the controllers' status alone). */
function withoutBookkeeping(status: Record<string, unknown>): Record<string, unknown> {
  const extensions = status.extensions
  if (!isRecord(extensions) || !(AGENT_EXTENSION in extensions)) return status
  const { [AGENT_EXTENSION]: _agent, ...rest } = extensions
  if (Object.keys(rest).length > 0) return { ...status, extensions: rest }
  const { extensions: _all, ...others } = status
  return others
}
