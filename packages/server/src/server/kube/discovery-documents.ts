import { API_VERSION, GROUP, KINDS, VERSION, type KindEntry } from '../kinds.js'

/** The verbs every PlanSpec kind serves. */
export const OBJECT_VERBS: readonly string[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']
const STATUS_VERBS = ['get', 'patch', 'update']
const NAMESPACE_VERBS = ['create', 'delete', 'get', 'list']

/** A subresource of a kind in discovery: its name, the kind it answers with, its verbs. */
interface Subresource {
  readonly name: string
  readonly kind: string
  readonly verbs: readonly string[]
}

function subresourcesOf(entry: KindEntry): Subresource[] {
  return [
    ...(entry.hasStatus ? [{ name: 'status', kind: entry.kind, verbs: STATUS_VERBS }] : []),
    ...(entry.kind === 'Plan' ? [{ name: 'graph', kind: 'PlanGraph', verbs: ['get'] }] : []),
    ...(entry.kind === 'Gate' ? ['approve', 'reject', 'comment'].map((name) => ({ name, kind: 'Gate', verbs: ['create'] })) : []),
    ...(entry.kind === 'Execution' ? ['cancel', 'retry', 'claim', 'complete'].map((name) => ({ name, kind: 'Execution', verbs: ['create'] })) : []),
  ]
}

/**
 * Builds the legacy `APIResourceList` of `planspec.io/v1alpha1` (what `GET /apis/planspec.io/v1alpha1`
 * answers): every kind with its verbs, short names and categories, then its subresources.
 */
export function resourceList(): Record<string, unknown> {
  const resources = KINDS.flatMap((entry) => [
    { name: entry.plural, singularName: entry.singular, namespaced: entry.namespaced, kind: entry.kind, verbs: OBJECT_VERBS, ...(entry.shortNames.length > 0 ? { shortNames: entry.shortNames } : {}), ...(entry.categories.length > 0 ? { categories: entry.categories } : {}) },
    ...subresourcesOf(entry).map((sub) => ({ name: `${entry.plural}/${sub.name}`, singularName: '', namespaced: entry.namespaced, kind: sub.kind, verbs: sub.verbs })),
  ])
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: API_VERSION, resources }
}

/** Builds the legacy `APIResourceList` of the core group (`GET /api/v1`): only `namespaces`. */
export function coreResourceList(): Record<string, unknown> {
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [{ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: NAMESPACE_VERBS, shortNames: ['ns'] }] }
}

/**
 * Builds the aggregated discovery document (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`) that
 * kubectl 1.30+ asks `/apis` (`core: false`) or `/api` (`core: true`) for: every group, version and
 * resource in one answer, with scope, verbs, short names, categories and subresources.
 */
export function aggregatedDiscovery(core: boolean, apiVersion: string): Record<string, unknown> {
  const responseKind = (kind: string, group = GROUP, version = VERSION) => ({ group, version, kind })
  const items = core
    ? [{ metadata: { creationTimestamp: null }, versions: [{ version: 'v1', freshness: 'Current', resources: [{ resource: 'namespaces', responseKind: responseKind('Namespace', '', 'v1'), scope: 'Cluster', singularResource: 'namespace', verbs: NAMESPACE_VERBS, shortNames: ['ns'] }] }] }]
    : [
        {
          metadata: { name: GROUP, creationTimestamp: null },
          versions: [
            {
              version: VERSION,
              freshness: 'Current',
              resources: KINDS.map((entry) => ({
                resource: entry.plural,
                responseKind: responseKind(entry.kind),
                scope: entry.namespaced ? 'Namespaced' : 'Cluster',
                singularResource: entry.singular,
                verbs: OBJECT_VERBS,
                ...(entry.shortNames.length > 0 ? { shortNames: entry.shortNames } : {}),
                ...(entry.categories.length > 0 ? { categories: entry.categories } : {}),
                ...(subresourcesOf(entry).length > 0 ? { subresources: subresourcesOf(entry).map((sub) => ({ subresource: sub.name, responseKind: responseKind(sub.kind), verbs: sub.verbs })) } : {}),
              })),
            },
          ],
        },
      ]
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items }
}
