import editorSchema from '@planspec/schemas/editor.json' with { type: 'json' }

/** A JSON Schema as a tool declares it. */
export type JsonSchema = Record<string, unknown>

const BUNDLE_DEFS = (editorSchema as unknown as { $defs: Record<string, JsonSchema> }).$defs

/** The resource kinds tools carry, as named in the schema bundle. */
export const RESOURCE_KINDS = ['Goal', 'Plan', 'Capability', 'Binding', 'Execution', 'Gate'] as const

/** A `$ref` to a kind (or a kind's definition, `Plan_taskNode`) in the bundle. */
export function kindRef(name: string): JsonSchema {
  if (BUNDLE_DEFS[name] === undefined) throw new Error(`no definition ${name} in the schema bundle`)
  return { $ref: `#/$defs/${name}` }
}

/**
 * Makes a tool schema self-contained from `schemas/` (issue 19: input and output schemas that carry
 * resources are derived from the schemas, never written by hand): `schema` may hold `$ref`s to
 * `#/$defs/<Kind>` of the editor bundle (`schemas/editor/planspec.schema.json`, generated from
 * `schemas/v1alpha1/`); the definitions they reach, and only those, are copied under `$defs`. The
 * bundle has no `$id` and only local `$ref`s, so any JSON Schema validator (an MCP client's
 * included) resolves it offline.
 *
 * @example
 * withResourceDefs({ type: 'object', properties: { plan: kindRef('Plan') }, required: ['plan'] })
 */
export function withResourceDefs(schema: JsonSchema): JsonSchema {
  const needed = new Set<string>()
  const queue: unknown[] = [schema]
  while (queue.length > 0) {
    const value = queue.pop()
    if (Array.isArray(value)) {
      queue.push(...value)
      continue
    }
    if (value === null || typeof value !== 'object') continue
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith('#/$defs/')) {
        const name = child.slice('#/$defs/'.length)
        if (!needed.has(name)) {
          needed.add(name)
          queue.push(BUNDLE_DEFS[name])
        }
      } else queue.push(child)
    }
  }
  if (needed.size === 0) return schema
  return { ...schema, $defs: Object.fromEntries([...needed].sort().map((name) => [name, BUNDLE_DEFS[name]])) }
}

/** Any resource of the six kinds (its `kind` picks the schema), status included. */
export function anyResource(): JsonSchema {
  return { anyOf: RESOURCE_KINDS.map((kind) => kindRef(kind)) }
}

/** A diagnostic as `validate` returns it (core's `Diagnostic`). */
export const DIAGNOSTIC_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'severity', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'path'],
  properties: {
    code: { type: 'string', description: 'Stable code: PS + 4 digits (planspec explain PS1234 documents it).' },
    severity: { enum: ['error', 'warning'] },
    message: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    endLine: { type: 'integer' },
    endColumn: { type: 'integer' },
    path: { type: 'string', description: 'JSON pointer into the document.' },
    kind: { type: 'string' },
    name: { type: 'string' },
    fix: {
      type: 'object',
      description: 'A machine-applicable fix: JSON-pointer edits on the document.',
      required: ['description', 'edits'],
      properties: { description: { type: 'string' }, edits: { type: 'array', items: { type: 'object' } } },
    },
  },
}

/** A Kubernetes-style name (DNS label). */
export const NAME_SCHEMA: JsonSchema = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }
