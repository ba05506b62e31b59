import type { ResourceClient } from '@planspec/client'
import { resourceObject } from './tools/resource-tools.js'
import { RESOURCE_KINDS, kindRef, withResourceDefs } from './tool-schemas.js'
import { redactDeep } from './redact-output.js'

/** The kinds served as MCP resources, by URI segment. */
const SERVED: Readonly<Record<string, string>> = { plans: 'Plan', executions: 'Execution' }
const URI = /^planspec:\/\/(plans|executions)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/
const SCHEMA_URI = /^planspec:\/\/schemas\/([A-Za-z]+)$/

/** An MCP resource as listed. */
export interface ListedMcpResource {
  readonly uri: string
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly mimeType: string
}

/** The URI of a Plan or Execution resource: `planspec://plans/NAMESPACE/NAME`. */
export function resourceUri(kind: string, namespace: string, name: string): string | undefined {
  const segment = Object.entries(SERVED).find(([, k]) => k === kind)?.[0]
  return segment === undefined ? undefined : `planspec://${segment}/${namespace}/${name}`
}

/** The resource templates: every Plan and Execution, by namespace and name. */
export const RESOURCE_TEMPLATES = [
  { uriTemplate: 'planspec://plans/{namespace}/{name}', name: 'plan', title: 'A Plan with its status', mimeType: 'application/json' },
  { uriTemplate: 'planspec://executions/{namespace}/{name}', name: 'execution', title: 'An Execution with its status (node phases, outputs, gates)', mimeType: 'application/json' },
] as const

/**
 * Lists the MCP resources: the JSON Schema of each kind (`planspec://schemas/Plan`, from
 * `schemas/`), and every Plan and Execution (at most `maxItems`).
 */
export async function listResources(client: ResourceClient, maxItems: number): Promise<ListedMcpResource[]> {
  const schemas = RESOURCE_KINDS.map((kind) => ({ uri: `planspec://schemas/${kind}`, name: `schema-${kind.toLowerCase()}`, title: `${kind} schema`, description: `The JSON Schema of a ${kind} (planspec.io/v1alpha1)`, mimeType: 'application/schema+json' }))
  const [plans, executions] = await Promise.all([client.list('Plan'), client.list('Execution')])
  const items = [...plans, ...executions].slice(0, maxItems).map((r) => ({ uri: resourceUri(r.kind, r.namespace, r.name)!, name: `${r.kind.toLowerCase()}/${r.namespace}/${r.name}`, title: `${r.kind} ${r.name}`, mimeType: 'application/json', ...(typeof (r.status as { phase?: unknown } | undefined)?.phase === 'string' ? { description: `phase ${(r.status as { phase: string }).phase}` } : {}) }))
  return [...schemas, ...items]
}

/**
 * Reads one MCP resource: a kind's schema, or a Plan or Execution with its status (secrets
 * masked). Undefined when the URI names nothing.
 */
export async function readResource(client: ResourceClient, uri: string, secrets: readonly string[]): Promise<{ readonly uri: string; readonly mimeType: string; readonly text: string } | undefined> {
  const schema = SCHEMA_URI.exec(uri)
  if (schema !== null) {
    const kind = RESOURCE_KINDS.find((k) => k === schema[1])
    return kind === undefined ? undefined : { uri, mimeType: 'application/schema+json', text: JSON.stringify(withResourceDefs(kindRef(kind)), null, 2) }
  }
  const match = URI.exec(uri)
  if (match === null) return undefined
  const found = await client.get(SERVED[match[1]!]!, match[4]!, match[2]!)
  return found === undefined ? undefined : { uri, mimeType: 'application/json', text: JSON.stringify(redactDeep(resourceObject(found), secrets), null, 2) }
}

/** What {@link followResources} reports. */
export interface ResourceFeed {
  /** A subscribed resource changed. */
  updated(uri: string): void
  /** Plans or Executions were added or removed. */
  listChanged(): void
}

/**
 * Follows Plans and Executions through the client's watch (the API's watch stream, or polls of
 * the repository) and reports a change of a subscribed URI, and additions and removals, until
 * `signal` aborts.
 */
export async function followResources(client: ResourceClient, subscribed: ReadonlySet<string>, feed: ResourceFeed, signal: AbortSignal): Promise<void> {
  // The watch starts with every current object (ADDED): for those, that first event is not news.
  const initial = new Map((await Promise.all([client.list('Plan'), client.list('Execution')])).flat().map((r) => [resourceUri(r.kind, r.namespace, r.name)!, JSON.stringify(resourceObject(r))]))
  await client.watch(['Plan', 'Execution'], (change) => {
    const uri = resourceUri(change.resource.kind, change.resource.namespace, change.resource.name)
    if (uri === undefined) return
    const before = initial.get(uri)
    initial.delete(uri)
    if (change.type === 'ADDED' && before !== undefined) {
      if (before !== JSON.stringify(resourceObject(change.resource)) && subscribed.has(uri)) feed.updated(uri)
      return
    }
    if (change.type !== 'MODIFIED') feed.listChanged()
    if (subscribed.has(uri)) feed.updated(uri)
  }, signal)
}
