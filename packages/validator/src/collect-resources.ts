import { namespaceOf, type Severity } from '@planspec/core'
import { normalizeLegacy } from './compat.js'
import type { PathIssue } from './finding.js'
import { checkPlanGraph } from './graph-check.js'
import { checkPolicy } from './policy-check.js'
import { NAMESPACED_KINDS, type Resource } from './resource.js'
import { describe, type SchemaValidator } from './schema-check.js'

/** What the per-resource checks depend on. */
export interface ResourceCheckOptions {
  readonly compat?: boolean
  readonly defaultNamespace?: string
  /**
   * False when the file's text shows that none of its strings can look like a credential
   * (`textMayHoldCredentials`, for text read by the fast parser): the policy check skips them.
   */
  readonly credentialsPossible?: boolean
}

/**
 * Receives one finding: `issue.path` is relative to the resource at pointer `at` in its document.
 */
export type Emit = (issue: PathIssue, at: string, meta?: { kind?: string; name?: string }) => void

/**
 * Checks the value of one YAML document as a resource (or a `List` of them): kind, legacy
 * shapes, schema, status, graph and policy. Findings go to `emit`; the resources found are
 * returned. `value` must be the caller's own fresh object: legacy shapes are normalized and
 * `metadata.namespace` is defaulted in place. Both parse paths run exactly this code.
 */
export function collectResources(value: unknown, file: string, documentIndex: number, schema: SchemaValidator, options: ResourceCheckOptions, emit: Emit): Resource[] {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    emit({ code: 'PS2001', message: `a document must be a mapping (a resource), not ${describe(value)}`, path: '' }, '')
    return []
  }
  const object = value as Record<string, unknown>
  if (object.kind === 'List') {
    const issues = schema.validate('List', { ...object, items: [] })
    for (const issue of issues) emit(issue, '', { kind: 'List' })
    if (!Array.isArray(object.items)) return []
    const out: Resource[] = []
    object.items.forEach((item, i) => {
      const pointer = `/items/${i}`
      if (item && typeof item === 'object' && (item as Record<string, unknown>).kind === 'List') {
        emit({ code: 'PS2002', message: 'a List cannot contain another List', path: '/kind' }, pointer, { kind: 'List' })
        return
      }
      const resource = checkResource(item, pointer, file, documentIndex, schema, options, emit)
      if (resource) out.push(resource)
    })
    return out
  }
  const resource = checkResource(object, '', file, documentIndex, schema, options, emit)
  return resource ? [resource] : []
}

function checkResource(value: unknown, pointer: string, file: string, documentIndex: number, schema: SchemaValidator, options: ResourceCheckOptions, emit: Emit): Resource | undefined {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    emit({ code: 'PS2001', message: `a List item must be a mapping (a resource), not ${describe(value)}`, path: '' }, pointer)
    return undefined
  }
  const object = value as Record<string, unknown>
  const kind = object.kind
  const metadata = object.metadata && typeof object.metadata === 'object' && !Array.isArray(object.metadata) ? (object.metadata as Record<string, unknown>) : undefined
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined
  const meta = { kind: typeof kind === 'string' ? kind : undefined, name }
  if (typeof kind !== 'string' || !schema.kinds.has(kind) || kind === 'List') {
    const hint = typeof kind === 'string' ? closestKind(kind, schema.kinds) : undefined
    emit({ code: 'PS2002', message: kind === undefined ? 'missing required field "kind"' : `unknown kind ${describe(kind)}${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${[...schema.kinds].filter((k) => k !== 'List').join(', ')}`, path: kind === undefined ? '' : '/kind', key: kind === undefined }, pointer, meta)
    return undefined
  }
  const severity: Severity = options.compat ? 'warning' : 'error'
  for (const legacy of normalizeLegacy(object)) emit({ ...legacy, severity }, pointer, meta)
  const namespaced = NAMESPACED_KINDS.has(kind)
  const hadNamespace = metadata !== undefined && 'namespace' in metadata
  // A namespace that is not a string fails the schema; the resource is still indexed, under the default.
  const written = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined
  const namespace = namespaced ? namespaceOf({ namespace: written }, options.defaultNamespace) : ''
  const schemaIssues = schema.validate(kind, object)
  for (const issue of schemaIssues) emit(issue, pointer, meta)
  if (object.status !== undefined && object.status !== null && Object.keys(object.status as object).length > 0) {
    emit({ code: 'PS2015', message: 'status is written by controllers; the status in this file is ignored', path: '/status', key: true }, pointer, meta)
  }
  const schemaValid = schemaIssues.length === 0
  if (schemaValid && kind === 'Plan') for (const issue of checkPlanGraph(object.spec as Record<string, unknown>)) emit(issue, pointer, meta)
  if (schemaValid) for (const issue of checkPolicy(kind, object, options)) emit(issue, pointer, meta)
  if (typeof name !== 'string' || metadata === undefined) return undefined
  if (namespaced && !hadNamespace) (object.metadata as Record<string, unknown>).namespace = namespace
  return { file, documentIndex, pointer, apiVersion: String(object.apiVersion), kind, name, namespace, value: object, schemaValid }
}

function closestKind(kind: string, kinds: ReadonlySet<string>): string | undefined {
  const lower = kind.toLowerCase()
  for (const k of kinds) if (k.toLowerCase() === lower || k.toLowerCase() === lower.replace(/s$/, '')) return k
  return undefined
}
