import { schemas } from '@planspec/schemas'
import { GROUP, KINDS, VERSION } from '../kinds.js'
import { statusSchema } from '../route-schemas.js'

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
/** A JSON object. */
export type JsonMap = { [key: string]: Json }

const SCHEMA_BASE = 'https://planspec.io/schemas/v1alpha1/'
/** The prefix of every PlanSpec component name, Kubernetes style (`io.planspec.v1alpha1.Goal`). */
export const COMPONENT_PREFIX = `io.planspec.${VERSION}.`
/** The component of a Kubernetes Status (every error body). */
export const STATUS_COMPONENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status'

// JSON Schema 2020-12 keywords OpenAPI 3.0 and Swagger 2.0 do not have. The server validates
// every write itself (fieldValidation is always Strict), so the documents only describe.
const DROPPED = new Set(['$schema', '$id', '$defs', 'if', 'then', 'else', 'unevaluatedProperties', 'propertyNames', 'dependentRequired', 'examples', '$comment'])

/** The component name of a schema document (`Goal`, `Common`, `ClusterRoleBinding`). */
function documentName(id: string): string {
  const file = id.slice(SCHEMA_BASE.length).replace(/\.json$/, '')
  return file.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())
}

/** The component name of a `$defs` entry or a whole document. */
function componentOf(document: string, def?: string): string {
  return `${COMPONENT_PREFIX}${document}${def === undefined ? '' : `.${def}`}`
}

/**
 * Converts one JSON Schema (2020-12) node to the dialect OpenAPI 3.0 and Swagger 2.0 share: `$ref`s
 * point at `refBase + component` (a `$ref` with siblings becomes `allOf: [{$ref}]` beside them, as
 * Kubernetes publishes it), `const` becomes a one-value `enum`, and keywords those versions lack
 * are dropped.
 */
function convert(node: unknown, document: string, refBase: string): Json {
  if (Array.isArray(node)) return node.map((child) => convert(child, document, refBase))
  if (node === null || typeof node !== 'object') return node as Json
  const out: JsonMap = {}
  let ref: string | undefined
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue
    if (key === '$ref' && typeof value === 'string') ref = refBase + resolveRef(value, document)
    else if (key === 'const') out.enum = [value as Json]
    else if (key === 'properties' && value !== null && typeof value === 'object') out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, convert(child, document, refBase)]))
    else out[key] = convert(value, document, refBase)
  }
  if (ref === undefined) return out
  return Object.keys(out).length === 0 ? { $ref: ref } : { allOf: [{ $ref: ref }], ...out }
}

/** Maps a schema `$ref` (`#/$defs/x`, `common.json#/$defs/y`, `goal.json`) to its component name. */
function resolveRef(ref: string, document: string): string {
  const [target = '', fragment = ''] = ref.split('#')
  const owner = target === '' ? document : documentName(target.startsWith('http') ? target : SCHEMA_BASE + target)
  const def = /^\/\$defs\/([^/]+)$/.exec(fragment)?.[1]
  return componentOf(owner, def)
}

/**
 * Generates the schema components of the API from `@planspec/schemas`: every document and every
 * `$defs` entry becomes a component (`io.planspec.v1alpha1.Goal`, `io.planspec.v1alpha1.Goal.goalSpec`),
 * each kind carries `x-kubernetes-group-version-kind` (how kubectl finds a kind's schema), and each
 * kind gets its `...List`; the Kubernetes Status is added. `refBase` is `#/components/schemas/`
 * (OpenAPI 3) or `#/definitions/` (Swagger 2).
 */
export function schemaComponents(refBase: string): JsonMap {
  const components: JsonMap = {}
  for (const schema of schemas) {
    if (schema.$id.endsWith('repository-config.json')) continue
    const document = documentName(schema.$id)
    const { $defs, ...root } = schema as typeof schema & { $defs?: Record<string, unknown> }
    for (const [def, body] of Object.entries($defs ?? {})) components[componentOf(document, def)] = convert(body, document, refBase)
    if (document === 'Common') continue
    const converted = convert(root, document, refBase) as JsonMap
    const kind = KINDS.find((entry) => entry.kind === document)
    components[componentOf(document)] = kind === undefined ? converted : { ...converted, 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: kind.kind }] }
  }
  for (const entry of KINDS) {
    components[componentOf(`${entry.kind}List`)] = {
      type: 'object',
      description: `A list of ${entry.kind} objects.`,
      required: ['apiVersion', 'kind', 'metadata', 'items'],
      properties: {
        apiVersion: { type: 'string', description: 'planspec.io/v1alpha1' },
        kind: { type: 'string', description: `${entry.kind}List` },
        metadata: { type: 'object', description: 'List metadata: resourceVersion, and continue when more items remain.', properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' } } },
        items: { type: 'array', items: { $ref: refBase + componentOf(entry.kind) } },
      },
      'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind: `${entry.kind}List` }],
    }
  }
  const { $id: _id, ...status } = statusSchema
  components[STATUS_COMPONENT] = { ...(convert(status, 'Status', refBase) as JsonMap), description: 'A Kubernetes Status: the body of every error response.', 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }] }
  return components
}

/** The component name of a kind (`io.planspec.v1alpha1.Goal`) or of its list. */
export function kindComponent(kind: string, list = false): string {
  return componentOf(list ? `${kind}List` : kind)
}
