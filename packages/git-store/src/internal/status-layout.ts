import { KIND_TABLE, kindNames, type Diagnostic, type ObjectKey } from '@planspec/core'
import { GitInvalidInputError } from '../errors.js'
import type { Lease } from '../lease-document.js'
import type { StoredStatus } from '../status-document.js'

/**
 * Layout of the status branch (DECISIONS §6):
 * - `<namespace>/<plural>/<name>.yaml`: a resource's status (cluster-scoped kinds use `_cluster`,
 *   which no namespace can be, since namespaces are DNS labels);
 * - `requests/<id>.yaml`: one request from a person, never rewritten (two levels, so it never
 *   meets a status file of a namespace called `requests`, which sits three levels deep);
 * - `leases/<namespace>/executions/<name>.yaml`: an Execution's lease (four levels, for the
 *   same reason).
 */
export const KIND_PLURALS: Readonly<Record<string, string>> = Object.fromEntries(kindNames((_, kind) => kind !== 'List').map((kind) => [kind, KIND_TABLE[kind].plural]))

const PLURAL_KINDS = new Map(Object.entries(KIND_PLURALS).map(([kind, plural]) => [plural, kind]))

/** The directory of cluster-scoped resources. */
export const CLUSTER_DIR = '_cluster'
/** The directory of requests. */
export const REQUESTS_DIR = 'requests'
/** The directory of leases. */
export const LEASES_DIR = 'leases'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
const REQUEST_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$/

/** Tells whether a value is a DNS label (names, namespaces). */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === 'string' && DNS_LABEL.test(value)
}

function checkLabel(value: string, field: string): void {
  if (!isDnsLabel(value)) throw new GitInvalidInputError(`${field} must be a DNS label, not ${JSON.stringify(String(value).slice(0, 80))}`, { data: { field } })
}

/** The status file path of a resource; throws {@link GitInvalidInputError} for a bad key. */
export function statusPath(key: ObjectKey): string {
  const plural = KIND_PLURALS[key.kind]
  if (!plural) throw new GitInvalidInputError(`unknown kind ${JSON.stringify(key.kind)}`, { data: { field: 'kind' } })
  checkLabel(key.name, 'name')
  if (key.namespace !== '') checkLabel(key.namespace, 'namespace')
  return `${key.namespace || CLUSTER_DIR}/${plural}/${key.name}.yaml`
}

/** The lease file path of an Execution. */
export function leasePath(namespace: string, name: string): string {
  checkLabel(namespace, 'namespace')
  checkLabel(name, 'name')
  return `${LEASES_DIR}/${namespace}/executions/${name}.yaml`
}

/** The path of a request file. */
export function requestPath(id: string): string {
  if (!REQUEST_ID.test(id)) throw new GitInvalidInputError('invalid request id', { data: { field: 'id' } })
  return `${REQUESTS_DIR}/${id}.yaml`
}

/** What a status-branch path holds, from its place in the layout. */
export type StatusPathKind =
  | { readonly type: 'status'; readonly kind: string; readonly namespace: string; readonly name: string }
  | { readonly type: 'request'; readonly id: string }
  | { readonly type: 'lease'; readonly namespace: string; readonly name: string }
  | { readonly type: 'other' }

/** Classifies a path of the status branch. */
export function classifyStatusPath(path: string): StatusPathKind {
  const parts = path.split('/')
  const file = parts[parts.length - 1] ?? ''
  if (!file.endsWith('.yaml')) return { type: 'other' }
  const base = file.slice(0, -5)
  if (parts.length === 2 && parts[0] === REQUESTS_DIR && REQUEST_ID.test(base)) return { type: 'request', id: base }
  if (parts.length === 4 && parts[0] === LEASES_DIR && parts[2] === 'executions' && isDnsLabel(parts[1]) && isDnsLabel(base)) return { type: 'lease', namespace: parts[1], name: base }
  if (parts.length === 3) {
    const kind = PLURAL_KINDS.get(parts[1]!)
    const namespace = parts[0] === CLUSTER_DIR ? '' : parts[0]!
    if (kind && (namespace === '' || isDnsLabel(namespace)) && isDnsLabel(base)) return { type: 'status', kind, namespace, name: base }
  }
  return { type: 'other' }
}

/** A status-branch file as parsed (cached by blob id and path). */
export type ParsedStatusBlob =
  | { readonly type: 'status'; readonly value: StoredStatus }
  | { readonly type: 'lease'; readonly value: Lease }
  | { readonly type: 'invalid'; readonly diagnostic: Diagnostic }
