import type { DesiredResource, DesiredState } from '@planspec/git-store'
import type { StatusSnapshot } from '@planspec/agent'
import { initialStatus, type ExecutionStatus, type StatusKind } from '@planspec/core'
import { gateWaits } from './gate-waits.js'
import type { ResourceView } from './resource-types.js'

/**
 * The resources of one kind in a repository, with the status the agent wrote merged in (and, for
 * Executions, the requests refused on them, their change author and why their Gate nodes wait),
 * sorted by namespace and name. `namespace` undefined: every namespace.
 *
 * @example
 * gitResources(await repo.readDesired(), await repo.readStatus(), { kind: 'Execution' })
 */
export function gitResources(desired: DesiredState, status: StatusSnapshot, options: { readonly kind: string; readonly name?: string; readonly namespace?: string }): ResourceView[] {
  return [...desired.resources.values()]
    .filter((i) => i.kind === options.kind && (options.namespace === undefined || i.namespace === options.namespace) && (options.name === undefined || i.name === options.name))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((i) => gitResourceView(i, desired, status))
}

const STATUS_KINDS: ReadonlySet<string> = new Set<StatusKind>(['Goal', 'Plan', 'Capability', 'Binding', 'Execution', 'Gate'])

/**
 * One desired item as a {@link ResourceView}. A resource no agent has written a status for yet
 * (an Execution nobody leased) reads as the status the server sets on create (RESOURCES 0.7,
 * dated by its `creationTimestamp`), so git mode and server mode show the same thing.
 */
export function gitResourceView(item: DesiredResource, desired: DesiredState, status: StatusSnapshot): ResourceView {
  const doc = status.docs.get(item.subject)
  const metadata = item.object.metadata
  const created = metadata.creationTimestamp ?? new Date(0).toISOString()
  const shown = doc?.status ?? (STATUS_KINDS.has(item.kind) ? initialStatus(item.kind as StatusKind, item.identity.generation, created) : undefined)
  const waits = item.kind === 'Execution' ? gateWaits(item, doc?.status as ExecutionStatus | undefined, desired, status) : []
  return {
    kind: item.kind,
    name: item.name,
    namespace: item.namespace,
    object: item.object,
    file: item.file,
    introducedIn: item.identity.introducedIn,
    metadata: metadata as ResourceView['metadata'],
    spec: item.object.spec,
    ...(shown === undefined ? {} : { status: shown }),
    ...(doc?.refusedRequests?.length ? { refusedRequests: doc.refusedRequests } : {}),
    ...(waits.length ? { gateWaits: waits } : {}),
    ...(doc?.changeAuthor ? { changeAuthor: doc.changeAuthor.subject } : {}),
  }
}
