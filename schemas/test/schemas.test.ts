import { describe, expect, it } from 'vitest'
import { ajv, ajvLog } from './support.js'
import { apiVersion, commonSchemaId, kindInfo, repositoryConfigSchemaId, schemaIdByKind, schemas } from '../index.js'

type Node = Record<string, unknown>
const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Every subschema with its JSON pointer and whether it sits in a validation-only branch (if/then/else/not). */
function* walk(schema: unknown, path: string, inBranch = false): Generator<{ node: Node; path: string; inBranch: boolean }> {
  if (!isObject(schema)) return
  yield { node: schema, path, inBranch }
  for (const [key, value] of Object.entries(schema)) {
    const branch = inBranch || key === 'if' || key === 'then' || key === 'else' || key === 'not'
    if (key === 'properties' || key === '$defs') {
      for (const [k, v] of Object.entries(value as Node)) yield* walk(v, `${path}/${key}/${k}`, branch)
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      for (const [i, v] of (value as unknown[]).entries()) yield* walk(v, `${path}/${key}/${i}`, branch)
    } else if (['items', 'additionalProperties', 'propertyNames', 'if', 'then', 'else', 'not'].includes(key)) {
      yield* walk(value, `${path}/${key}`, branch)
    }
  }
}

const all = schemas.flatMap((s) => [...walk(s, s.$id + '#')])

/** `allOf: [{if: {discriminator}, then: {$ref: variant}}, ...]` */
const isDiscriminatedUnion = (node: Node): boolean =>
  Array.isArray(node.allOf) &&
  node.allOf.length > 0 &&
  node.allOf.every((b: Node) => isObject(b.if) && isObject(b.then) && typeof b.then.$ref === 'string' && Object.keys(b.then).length === 1)

describe('schema documents', () => {
  it('has all 13 files, common first', () => {
    expect(schemas.map((s) => s.$id.split('/').pop())).toEqual([
      'common.json',
      'goal.json',
      'plan.json',
      'capability.json',
      'binding.json',
      'execution.json',
      'gate.json',
      'list.json',
      'role.json',
      'cluster-role.json',
      'role-binding.json',
      'cluster-role-binding.json',
      'repository-config.json',
    ])
  })

  it.each(schemas.map((s) => [s.$id, s] as const))('%s has $schema, $id, title and description', (id, s) => {
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(id).toMatch(/^https:\/\/planspec\.io\/schemas\/v1alpha1\/[a-z-]+\.json$/)
    expect(s.title).toBeTruthy()
    expect(s.description).toBeTruthy()
  })

  it('every schema compiles in strict mode without warnings', () => {
    for (const s of schemas) expect(ajv.getSchema(s.$id), s.$id).toBeTypeOf('function')
    expect(ajvLog).toEqual([])
  })

  it('every property at every depth, and every $defs entry, has a description', () => {
    const missing: string[] = []
    for (const { node, path, inBranch } of all) {
      if (inBranch) continue
      for (const [key, value] of Object.entries((node.properties as Node | undefined) ?? {})) {
        if (!isObject(value) || typeof value.description !== 'string' || value.description.length < 10) missing.push(`${path}/properties/${key}`)
      }
      for (const [key, value] of Object.entries((node.$defs as Node | undefined) ?? {})) {
        if (!isObject(value) || typeof value.description !== 'string') missing.push(`${path}/$defs/${key}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('every scalar constraint comes with a type', () => {
    const untyped: string[] = []
    const scalarKeywords = ['pattern', 'minLength', 'maxLength', 'format', 'minimum', 'maximum', 'enum', 'const']
    for (const { node, path, inBranch } of all) {
      if (inBranch || '$ref' in node || 'type' in node) continue
      if (scalarKeywords.some((k) => k in node)) untyped.push(path)
    }
    expect(untyped).toEqual([])
  })

  it('every property schema is typed, a $ref, or a documented any-JSON value', () => {
    const anyJson = new Set(['common.json#/$defs/jsonContextItem/properties/content', 'common.json#/$defs/parameterDefinition/properties/default'])
    const loose: string[] = []
    for (const { node, path, inBranch } of all) {
      if (inBranch) continue
      for (const [key, value] of Object.entries((node.properties as Node | undefined) ?? {})) {
        if (!isObject(value)) continue
        if ('type' in value || '$ref' in value || 'oneOf' in value || 'anyOf' in value) continue
        const where = `${path}/properties/${key}`.replace('https://planspec.io/schemas/v1alpha1/', '')
        if (!anyJson.has(where)) loose.push(where)
      }
    }
    expect(loose).toEqual([])
  })

  it('every object is closed except the documented free objects', () => {
    const open: string[] = []
    const free: string[] = []
    for (const { node, path, inBranch } of all) {
      if (inBranch || node.type !== 'object') continue
      if (node.additionalProperties === true) free.push(path.split('#')[1] ?? path)
      else if (node.additionalProperties === false || node.unevaluatedProperties === false) continue
      else if (isObject(node.additionalProperties)) continue // a typed map
      else if (Array.isArray(node.oneOf) && node.oneOf.every((b: Node) => b.additionalProperties === false)) continue // Binding selector
      else if (!isDiscriminatedUnion(node)) open.push(path)
    }
    expect(open).toEqual([])
    expect(free.sort()).toEqual(['/$defs/extensions', '/$defs/freeObject'])
  })

  it('discriminated unions are if/then chains over closed variants', () => {
    const unions = all.filter(({ node, inBranch }) => !inBranch && isDiscriminatedUnion(node))
    expect(unions.map(({ path }) => path.replace('https://planspec.io/schemas/v1alpha1/', '')).sort()).toEqual([
      'common.json#/$defs/contextItem',
      'list.json#/$defs/listItem',
      'plan.json#/$defs/externalRef',
      'plan.json#/$defs/planNode',
      'plan.json#/$defs/taskAcceptanceCriterion',
    ])
    for (const { node, path } of unions) {
      expect(node.oneOf, path).toBeUndefined()
      const [disc] = node.required as string[]
      expect(Object.keys(node.properties as Node), path).toEqual([disc])
      for (const branch of node.allOf as Node[]) {
        const ref = (branch.then as Node).$ref as string
        const target = ref.startsWith('#')
          ? ((schemas.find((s) => path.startsWith(s.$id)) as Node).$defs as Record<string, Node>)[ref.split('/').pop() as string]
          : (schemas.find((s) => s.$id === ref.split('#')[0]) as Node)
        const resolved = ref.includes('#/$defs/') && !ref.startsWith('#')
          ? ((schemas.find((s) => s.$id === ref.split('#')[0]) as Node).$defs as Record<string, Node>)[ref.split('/').pop() as string]
          : target
        expect(resolved, ref).toBeDefined()
        const closed = resolved?.unevaluatedProperties === false || resolved?.additionalProperties === false
        expect(closed, `${ref} is closed`).toBe(true)
        expect(Object.keys((resolved?.properties as Node) ?? {}), ref).toContain(disc)
      }
    }
  })

  it('cross-file references use absolute $ids', () => {
    const bad: string[] = []
    for (const { node, path } of all) {
      const ref = node.$ref
      if (typeof ref !== 'string') continue
      if (!ref.startsWith('#/') && !ref.startsWith('https://planspec.io/schemas/v1alpha1/')) bad.push(`${path}: ${ref}`)
    }
    expect(bad).toEqual([])
  })

  it('pins apiVersion and kind', () => {
    for (const [kind, id] of Object.entries(schemaIdByKind)) {
      const s = schemas.find((x) => x.$id === id) as Node | undefined
      const props = s?.properties as Record<string, Node>
      expect(props.kind?.const, kind).toBe(kind)
    }
    const common = schemas[0] as Node
    expect(((common.$defs as Record<string, Node>).apiVersion as Node).const).toBe(apiVersion)
  })
})

describe('index.js exports', () => {
  it('maps every kind to a loaded schema', () => {
    const ids = new Set(schemas.map((s) => s.$id))
    for (const id of Object.values(schemaIdByKind)) expect(ids.has(id)).toBe(true)
    expect(ids.has(repositoryConfigSchemaId)).toBe(true)
    expect(ids.has(commonSchemaId)).toBe(true)
    expect(apiVersion).toBe('planspec.io/v1alpha1')
  })

  it('describes each kind', () => {
    expect(Object.keys(kindInfo).sort()).toEqual(Object.keys(schemaIdByKind).sort())
    expect(kindInfo.Goal).toEqual({ plural: 'goals', namespaced: true, hasStatus: true, shortNames: ['gl'] })
    expect(kindInfo.Capability.plural).toBe('capabilities')
    expect(kindInfo.Gate).toEqual({ plural: 'gates', namespaced: true, hasStatus: true, shortNames: ['gt'] })
    expect(kindInfo.Execution.shortNames).toEqual(['ex', 'exec'])
    expect(kindInfo.ClusterRole).toEqual({ plural: 'clusterroles', namespaced: false, hasStatus: false, shortNames: [] })
    expect(kindInfo.RoleBinding).toEqual({ plural: 'rolebindings', namespaced: true, hasStatus: false, shortNames: [] })
    expect(kindInfo.List.hasStatus).toBe(false)
    for (const [kind, info] of Object.entries(kindInfo)) {
      const s = schemas.find((x) => x.$id === schemaIdByKind[kind as keyof typeof schemaIdByKind]) as Node
      expect('status' in (s.properties as Node), kind).toBe(info.hasStatus)
    }
  })
})
