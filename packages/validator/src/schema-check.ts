import type { ErrorObject, ValidateFunction } from 'ajv'
import { schemas, schemaIdByKind } from '@planspec/schemas'
import * as compiledValidators from './generated/schema-validators.js'
import type { PathIssue } from './finding.js'
import { suggestClosest } from './suggest.js'

// Validation functions precompiled from the schemas at build time (tools/codegen/
// compile-validators.mjs, ajv standalone): no schema is compiled at run time.
const VALIDATORS = compiledValidators as unknown as Readonly<Record<string, ValidateFunction>>

/** A schema finding, positioned by JSON pointer. */
export type SchemaIssue = PathIssue

/** Validates one resource against the schema of its kind. */
export interface SchemaValidator {
  /** The kinds that have a schema. */
  readonly kinds: ReadonlySet<string>
  /** Validates `value` as a resource of `kind`; returns no issues when it is valid. */
  validate(kind: string, value: unknown): SchemaIssue[]
}

/**
 * Creates the schema validator over the precompiled validation functions of every kind. Every
 * problem of a document is reported (ajv `allErrors`); the per-file cap of the validator bounds
 * the count (THREATS T17).
 *
 * @example
 * const schema = createSchemaValidator()
 * schema.validate('Goal', { apiVersion: 'planspec.io/v1alpha1', kind: 'Goal' }) // [missing metadata, ...]
 */
export function createSchemaValidator(): SchemaValidator {
  const byId = new Map((schemas as unknown as Schema[]).map((schema) => [String(schema.$id), schema]))
  const knownFields = collectPropertyNames(schemas)
  const kinds = new Set(Object.keys(schemaIdByKind))
  return {
    kinds,
    validate(kind, value) {
      const fn = VALIDATORS[kind]
      if (!fn || fn(value)) return []
      return mapErrors(fn.errors ?? [], knownFields, (id) => byId.get(id))
    },
  }
}

/**
 * Checks a parsed `.planspec.yaml` against the repository-config schema (precompiled like the
 * kinds' schemas). Returns no issues when it is valid.
 *
 * @example
 * checkRepositoryConfigSchema({ paths: 'plans/**' }) // [{ code: 'PS2002', path: '/paths', message: 'must be array' }]
 */
export function checkRepositoryConfigSchema(value: unknown): SchemaIssue[] {
  const fn = VALIDATORS['RepositoryConfig'] as ValidateFunction
  if (fn(value)) return []
  const byId = new Map((schemas as unknown as Schema[]).map((schema) => [String(schema.$id), schema]))
  return mapErrors(fn.errors ?? [], collectPropertyNames(schemas), (id) => byId.get(id))
}

function collectPropertyNames(all: readonly unknown[]): string[] {
  const names = new Set<string>()
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'properties' && child && typeof child === 'object') for (const name of Object.keys(child)) names.add(name)
        walk(child)
      }
    }
  }
  walk(all)
  return [...names]
}

// How to write a value of each named string form, for messages.
const FORM_HINTS: Readonly<Record<string, string>> = {
  outputName: 'an output name: lowercase letters, digits and "_", starting with a letter, at most 63 characters (e.g. image_tag)',
  identifier: 'an identifier: letters, digits and "_", starting with a letter (e.g. maxRetries)',
  kebabCase: 'kebab-case: lowercase words joined by "-" (e.g. code-generation)',
  kindName: 'a kind name: a capital letter, then letters and digits (e.g. Execution)',
  hashString: 'a hash "algorithm:digest" (e.g. sha256:9f86d0...)',
  graphDigest: 'a digest "sha256:" followed by 64 lowercase hex digits',
  apiVersionString: 'an API version such as planspec.io/v1alpha1',
  uid: 'a uid of 1-128 characters',
}

const LIMIT_KEYWORDS = new Set(['minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'maxProperties', 'minProperties'])
const NAME_DEFS = new Set(['dnsLabel', 'nodeId', 'name'])
const LABEL_DEFS = new Set(['labelKey', 'labelValue', 'qualifiedName'])

type Schema = Record<string, unknown>
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Lists the properties a schema declares for `data`: its own, those of `$ref` targets and allOf
 * members, and those of every if/then branch whose `if` matches `data` (by const/enum on the
 * discriminator). Used to tell a truly unknown field from one reported only because a sibling
 * failed inside the same branch (unevaluatedProperties ignores failed subschemas).
 */
function declaredProperties(schema: unknown, data: unknown, load: (id: string) => Schema | undefined, out = new Set<string>(), depth = 0): Set<string> {
  if (!isSchema(schema) || depth > 8) return out
  if (isSchema(schema.properties)) for (const name of Object.keys(schema.properties)) out.add(name)
  if (typeof schema.$ref === 'string') declaredProperties(resolveRef(schema.$ref, load), data, load, out, depth + 1)
  for (const member of Array.isArray(schema.allOf) ? schema.allOf : []) declaredProperties(member, data, load, out, depth + 1)
  if (isSchema(schema.then) && matches(schema.if, data)) declaredProperties(schema.then, data, load, out, depth + 1)
  return out
}

function resolveRef(ref: string, load: (id: string) => Schema | undefined): unknown {
  const [id, fragment] = ref.split('#') as [string, string | undefined]
  // A local reference ("#/$defs/x") carries no base: look it up in every schema file.
  const roots = id ? [load(id)] : (schemas as unknown as Schema[])
  return { allOf: roots.map((root) => walkPointer(root, fragment ?? '')).filter(isSchema) }
}

function walkPointer(root: unknown, fragment: string): unknown {
  let node = root
  for (const part of fragment.split('/').filter(Boolean)) node = isSchema(node) ? node[part] : undefined
  return node
}

function matches(condition: unknown, data: unknown): boolean {
  if (!isSchema(condition) || !isSchema(data) || !isSchema(condition.properties)) return false
  return Object.entries(condition.properties).every(([key, rule]) => {
    if (!isSchema(rule)) return true
    if (rule.const !== undefined) return data[key] === rule.const
    if (Array.isArray(rule.enum)) return rule.enum.includes(data[key])
    return true
  })
}

function mapErrors(errors: readonly ErrorObject[], knownFields: readonly string[], load: (id: string) => Schema | undefined): SchemaIssue[] {
  // A failed oneOf/anyOf reports one finding; the failures of its branches are noise.
  const unions = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
  const insideUnion = (e: ErrorObject): boolean => unions.some((u) => u !== e && e.schemaPath.startsWith(u.schemaPath + '/') && e.instancePath.startsWith(u.instancePath))
  const issues: SchemaIssue[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    // propertyNames reports once for the map and once (with the detail) for the failing name.
    if (error.keyword === 'if' || error.keyword === 'propertyNames' || insideUnion(error)) continue
    // A declared field reported as unevaluated only because a sibling check failed in its branch.
    if (error.keyword === 'unevaluatedProperties' && declaredProperties(error.parentSchema, error.data, load).has(String((error.params as { unevaluatedProperty?: string }).unevaluatedProperty))) continue
    const issue = mapError(error, knownFields)
    const id = `${issue.code}\u0000${issue.path}\u0000${issue.message}`
    if (seen.has(id)) continue
    seen.add(id)
    issues.push(issue)
  }
  return issues
}

function mapError(error: ErrorObject, knownFields: readonly string[]): SchemaIssue {
  const params = error.params as Record<string, unknown>
  // A failing map key (propertyNames) is reported at the key itself.
  const path = typeof error.propertyName === 'string' ? `${error.instancePath}/${escape(error.propertyName)}` : error.instancePath
  const def = /\$defs\/([^/]+)\/(?:pattern|format)$/.exec(error.schemaPath)?.[1]
  const value = error.data
  switch (error.keyword) {
    case 'required':
      return { code: 'PS2005', message: `missing required field "${String(params.missingProperty)}"`, path: path, key: true }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(params.additionalProperty ?? params.unevaluatedProperty)
      const hint = suggestClosest(field, knownFields)
      return { code: 'PS2004', message: `unknown field "${field}"${hint ? ` (did you mean "${hint}"?)` : ''}`, path: `${path}/${escape(field)}`, key: true }
    }
    case 'type':
      return { code: 'PS2006', message: `must be ${article(String(params.type))}, got ${describe(value)}`, path }
    case 'enum':
      return { code: 'PS2007', message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`, path }
    case 'const':
      return { code: path.endsWith('/apiVersion') || path === '/apiVersion' ? 'PS2003' : 'PS2007', message: `must be ${JSON.stringify(params.allowedValue)}, got ${describe(value)}`, path }
    case 'pattern':
    case 'format': {
      if (def === 'duration') return { code: 'PS2010', message: `${describe(value)} is not a duration; use Go style such as 90s, 1h30m or 168h`, path }
      if (def && NAME_DEFS.has(def)) return { code: 'PS2009', message: `${describe(value)} is not a DNS label: use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters`, path }
      if (error.keyword === 'format' && params.format === 'regex') return { code: 'PS2017', message: `${describe(value)} is not a valid regular expression`, path }
      if (def && LABEL_DEFS.has(def)) return { code: 'PS2011', message: `${describe(value)} is not a valid ${def === 'labelValue' ? 'label value' : 'label key'}`, path, key: typeof error.propertyName === 'string' }
      const what = error.keyword === 'format' ? `a valid ${String(params.format)}` : (def && FORM_HINTS[def]) ?? `in the form ${def ?? String(params.pattern)}`
      return { code: 'PS2008', message: `${describe(value)} is not ${what}`, path }
    }
    case 'uniqueItems':
      return { code: 'PS2014', message: `items ${String(params.j)} and ${String(params.i)} are the same`, path: `${path}/${String(params.i)}` }
    case 'oneOf':
    case 'anyOf': {
      const titles = (Array.isArray(error.schema) ? error.schema : []).map((s: { title?: string }) => s?.title).filter(Boolean)
      const shapes = titles.length ? `: ${titles.join('; ')}` : ''
      return { code: 'PS2013', message: `must match exactly one of the allowed shapes${shapes}`, path }
    }
    case 'dependentRequired':
      return { code: 'PS2013', message: `"${String(params.property)}" requires "${String(params.missingProperty)}"`, path: `${path}/${escape(String(params.property))}`, key: true }
    case 'false schema': {
      // A property whose schema is `false` in this branch: present where it is forbidden.
      const field = path.slice(path.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~')
      return { code: 'PS2013', message: `"${field}" is not allowed here`, path, key: true }
    }
    case 'not':
      return { code: 'PS2013', message: 'this combination of fields is not allowed', path }
    default:
      if (LIMIT_KEYWORDS.has(error.keyword)) return { code: 'PS2012', message: limitMessage(error.keyword, params.limit), path }
      return { code: 'PS2008', message: error.message ?? 'is invalid', path }
  }
}

function limitMessage(keyword: string, limit: unknown): string {
  const n = String(limit)
  switch (keyword) {
    case 'minItems': return `must have at least ${n} item${n === '1' ? '' : 's'}`
    case 'maxItems': return `must have at most ${n} items`
    case 'minLength': return `must be at least ${n} character${n === '1' ? '' : 's'} long`
    case 'maxLength': return `must be at most ${n} characters long`
    case 'minimum': return `must be at least ${n}`
    case 'maximum': return `must be at most ${n}`
    case 'exclusiveMinimum': return `must be more than ${n}`
    case 'exclusiveMaximum': return `must be less than ${n}`
    case 'maxProperties': return `must have at most ${n} entries`
    default: return `must have at least ${n} entries`
  }
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

function article(type: string): string {
  const t = type.split(',')[0] ?? type
  return /^[aeiou]/.test(t) ? `an ${type}` : `a ${type}`
}

/** Describes a value for a message without echoing large content. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)
  return `${typeof value} ${String(value)}`
}
