#!/usr/bin/env node
// Generates packages/core/src/model/generated.ts from schemas/v1alpha1/*.json.
//
//   node tools/codegen/generate-model.mjs           write the file
//   node tools/codegen/generate-model.mjs --check   exit 1 (with a one-line reason) when the file
//                                                   on disk differs from what would be generated
//
// The schemas are written for validation (if/then discriminated unions, unevaluatedProperties,
// absolute cross-file $refs). json-schema-to-typescript reads them best in a simpler form, so this
// script first bundles every file into one schema with local `#/$defs/<TypeName>` refs (no network,
// no $ref resolver needed), then:
//   - names every object definition with a clean type name (ObjectMeta, PlanNode, ...);
//   - inlines scalar and map definitions (dnsLabel, labels, ...) so they become plain `string`s and
//     index signatures, keeping the property's own description;
//   - turns each `allOf: [{if: {<discriminator>}, then: {$ref}}]` union into an `anyOf` of variant
//     types, copying the fields shared by every variant into each variant;
//   - drops validation-only keywords (if/then, not, dependentRequired, propertyNames, ...);
//   - types schemas that accept any JSON value (`{description}` only) as `unknown`.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeGenerated } from './write-generated.mjs'
import { compile } from 'json-schema-to-typescript'
import { kindInfo, schemas } from '@planspec/schemas'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const OUT_FILE = resolve(ROOT, 'packages/core/src/model/generated.ts')
const BASE = 'https://planspec.io/schemas/v1alpha1/'

/** Type names for `$defs` entries whose PascalCase key would not be the noun we want. */
const DEF_NAMES = {
  'plan.json#targetRef': 'GateTargetRef',
  'gate.json#targetRef': 'GateTargetRef',
  'gate.json#resolution': 'GateResolution',
  'list.json#listItem': 'CoreResource',
  'repository-config.json#context': 'RepositoryContext',
}

const pascal = (key) => key.charAt(0).toUpperCase() + key.slice(1)

/** Keywords that only constrain validation and mean nothing to a TypeScript type. */
const DROP = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'if',
  'then',
  'else',
  'not',
  'dependentRequired',
  'dependentSchemas',
  'propertyNames',
  'unevaluatedProperties',
  'readOnly',
  'minProperties',
  'maxProperties',
])

// ---------------------------------------------------------------------------------------------
// Index every definition: "file#key" (or "file#" for a file's root) -> { schema, file, name }.

const defsIndex = new Map()
for (const schema of schemas) {
  const file = schema.$id.slice(BASE.length)
  if (file !== 'common.json') defsIndex.set(`${file}#`, { schema, file, name: schema.title })
  for (const [key, def] of Object.entries(schema.$defs ?? {})) {
    defsIndex.set(`${file}#${key}`, { schema: def, file, name: DEF_NAMES[`${file}#${key}`] ?? pascal(key) })
  }
}

/** Resolve a `$ref` written in `file` to an index key. */
function refKey(ref, file) {
  const [target, fragment = ''] = ref.split('#')
  const targetFile = target === '' ? file : target.startsWith(BASE) ? target.slice(BASE.length) : target
  if (fragment === '') return `${targetFile}#`
  const m = /^\/\$defs\/([^/]+)$/.exec(fragment)
  if (!m) throw new Error(`unsupported $ref ${ref} in ${file}`)
  return `${targetFile}#${m[1]}`
}

/** A definition becomes a named type when it is an object with properties, or a union. */
function isNamed(def) {
  if (typeof def !== 'object' || def === null) return false
  if (def.properties) return true
  if (def.oneOf || def.anyOf) return true
  return Array.isArray(def.allOf) && def.allOf.some(isDiscriminatedBranch)
}

function isDiscriminatedBranch(entry) {
  return entry && entry.if && entry.then && typeof entry.then.$ref === 'string' && Object.keys(entry.then).length === 1
}

// ---------------------------------------------------------------------------------------------
// Transform

const bundleDefs = {}
/** Variant type name -> the shared properties/required of the union it belongs to. */
const variantParents = new Map()

function lookup(ref, file) {
  const key = refKey(ref, file)
  const entry = defsIndex.get(key)
  if (!entry) throw new Error(`unresolved $ref ${ref} in ${file}`)
  return entry
}

function transform(node, file) {
  if (Array.isArray(node)) return node.map((n) => transform(n, file))
  if (typeof node !== 'object' || node === null) return node

  if (typeof node.$ref === 'string') {
    const target = lookup(node.$ref, file)
    if (isNamed(target.schema)) return { $ref: `#/$defs/${target.name}` }
    // Inline scalars and maps, letting the referencing site's keywords (description, ...) win.
    const { $ref: _ref, ...siblings } = node
    const merged = { ...transform(target.schema, target.file), ...transform(siblings, file) }
    delete merged.tsType // the siblings alone looked like "any JSON"; decide on the merged schema
    if (isAnyJson(merged)) merged.tsType = 'unknown'
    return merged
  }

  const out = {}
  for (const [key, value] of Object.entries(node)) {
    if (DROP.has(key)) continue
    switch (key) {
      case 'properties':
      case '$defs':
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, transform(v, file)]))
        break
      case 'allOf': {
        const variants = value.filter(isDiscriminatedBranch)
        if (variants.length > 0) {
          const refs = [...new Set(variants.map((v) => v.then.$ref))]
          out.anyOf = refs.map((r) => transform({ $ref: r }, file))
          const shared = transform({ properties: node.properties ?? {} }, file).properties
          for (const r of refs) {
            const { name } = lookup(r, file)
            variantParents.set(name, { properties: shared, required: node.required ?? [] })
          }
        }
        break
      }
      case 'default':
      case 'enum':
      case 'const':
      case 'examples':
      case 'required':
        out[key] = value // data, not schemas
        break
      default:
        out[key] = transform(value, file)
    }
  }
  if (out.anyOf && Array.isArray(node.allOf)) {
    // A discriminated union: the variants carry every field; the union itself is just the anyOf.
    return { ...(out.description ? { description: out.description } : {}), anyOf: out.anyOf }
  }
  if (out.oneOf || out.anyOf) delete out.type
  if (isAnyJson(out)) out.tsType = 'unknown'
  if (Array.isArray(out.oneOf)) out.oneOf = out.oneOf.map(stripTitles)
  return out
}

/** A schema that accepts any JSON value (only annotations): typed `unknown`, not as an object. */
function isAnyJson(node) {
  const annotations = new Set(['description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly'])
  return Object.keys(node).every((k) => annotations.has(k))
}

function stripTitles(node) {
  if (typeof node !== 'object' || node === null) return node
  const { title: _title, ...rest } = node
  return rest
}

for (const [, entry] of defsIndex) {
  if (!isNamed(entry.schema)) continue
  const { $defs: _defs, ...body } = entry.schema
  bundleDefs[entry.name] = { title: entry.name, ...transform(body, entry.file) }
}

// Copy the fields shared by a union's variants into each variant, the variant's own fields last so
// its discriminator (`kind: 'Task'`) wins over the union-wide enum.
for (const [name, parent] of variantParents) {
  const def = bundleDefs[name]
  const own = def.properties ?? {}
  // Variants that already declare every shared field (List items: whole resources) stay as written.
  if (Object.keys(parent.properties).every((k) => k in own)) continue
  const properties = {}
  for (const [k, v] of Object.entries(parent.properties)) properties[k] = own[k] ?? v
  for (const [k, v] of Object.entries(own)) properties[k] = v
  const required = [...new Set([...parent.required, ...(def.required ?? [])])]
  const orderedRequired = Object.keys(properties).filter((k) => required.includes(k))
  bundleDefs[name] = { ...def, required: orderedRequired, properties }
}

// ---------------------------------------------------------------------------------------------
// Compile

const COMPILE_OPTIONS = {
  additionalProperties: false,
  strictIndexSignatures: true,
  unreachableDefinitions: false,
  declareExternallyReferenced: true,
  ignoreMinAndMaxItems: true,
  unknownAny: true,
  enableConstEnums: false,
  format: true,
  style: {
    semi: false,
    singleQuote: true,
    printWidth: 100,
    tabWidth: 2,
    trailingComma: 'all',
    bracketSpacing: true,
    useTabs: false,
  },
  // Everything is bundled locally; refuse any external resolution.
  $refOptions: { resolve: { external: false } },
}

const BANNER = [
  '/**',
  ' * GENERATED FILE: DO NOT EDIT.',
  ' *',
  ' * Generated by tools/codegen/generate-model.mjs from schemas/v1alpha1/*.json with',
  ' * json-schema-to-typescript. Edit the schemas, then run `npm run codegen`.',
  ' * `npm run codegen:check` fails when this file is out of date.',
  ' */',
].join('\n')

// Every kind of the one kind table (schemas/index.js kindInfo), in its order.
const documentKinds = Object.keys(kindInfo)

const documentSchema = {
  title: 'PlanSpecDocument',
  description:
    'Any PlanSpec v1alpha1 document: one Goal, Plan, Capability, Binding, Execution or Gate, a List of them, or an RBAC object.',
  anyOf: documentKinds.map((k) => ({ $ref: `#/$defs/${k}` })),
  $defs: bundleDefs,
}

const repositoryConfigSchema = {
  ...bundleDefs.RepositoryConfig,
  $defs: bundleDefs,
}

async function generate() {
  const documents = await compile(documentSchema, 'PlanSpecDocument', { ...COMPILE_OPTIONS, bannerComment: BANNER })
  const repositoryConfig = await compile(repositoryConfigSchema, 'RepositoryConfig', { ...COMPILE_OPTIONS, bannerComment: '' })
  return `${documents.trimEnd()}\n\n${repositoryConfig.trim()}\n`
}

const output = await generate()
writeGenerated(OUT_FILE, output)

