import type { DesiredItem, DesiredSnapshot, StatusSnapshot } from '@planspec/agent'
import type { ExecutionStatus } from '@planspec/core'
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
export function gitResources(desired: DesiredSnapshot, status: StatusSnapshot, options: { readonly kind: string; readonly name?: string; readonly namespace?: string }): ResourceView[] {
  return [...desired.items.values()]
    .filter((i) => i.kind === options.kind && (options.namespace === undefined || i.namespace === options.namespace) && (options.name === undefined || i.name === options.name))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((i) => gitResourceView(i, desired, status))
}

/** One desired item as a {@link ResourceView}. */
export function gitResourceView(item: DesiredItem, desired: DesiredSnapshot, status: StatusSnapshot): ResourceView {
  const doc = status.docs.get(item.subject)
  const metadata = item.object.metadata as Record<string, unknown> | undefined
  const waits = item.kind === 'Execution' ? gateWaits(item, doc?.status as ExecutionStatus | undefined, desired, status) : []
  return {
    kind: item.kind,
    name: item.name,
    namespace: item.namespace,
    object: item.object,
    file: item.file,
    introducedIn: item.introducedIn,
    ...(metadata ? { metadata: metadata as ResourceView['metadata'] } : {}),
    spec: item.object.spec,
    ...(doc ? { status: doc.status } : {}),
    ...(doc?.refusedRequests?.length ? { refusedRequests: doc.refusedRequests } : {}),
    ...(waits.length ? { gateWaits: waits } : {}),
    ...(doc?.changeAuthor ? { changeAuthor: doc.changeAuthor.subject } : {}),
  }
}
