#!/usr/bin/env node
// Bundles schemas/v1alpha1/*.json into ONE self-contained JSON Schema for editors:
// schemas/editor/planspec.schema.json.
//
//   node tools/codegen/bundle-editor-schema.mjs           write the file
//   node tools/codegen/bundle-editor-schema.mjs --check   exit 1 (with a one-line reason) when the file
//                                                         on disk differs from what would be generated
//
// Why: the source schemas have absolute `$id`s (https://planspec.io/schemas/v1alpha1/...) and
// cross-file `$ref`s to them. That host is not served, so yaml-language-server (VS Code YAML,
// Neovim, Helix, ...) cannot resolve the refs and gives no completion, hover or validation. The
// bundle has no `$id` at all and only local `#/$defs/...` refs, so it works offline from a path.
//
// What the bundle is:
//   - every file's `$defs` and every file's root schema, copied under `$defs` with collision-free
//     names: a kind's root is `Plan`, its definitions `Plan_taskNode`; common.json's are
//     `common_dnsLabel`; repository-config.json is `RepositoryConfig` (for `.planspec.yaml`);
//   - every `$ref` rewritten to the matching local `#/$defs/...` pointer; `$id` and `$schema` are
//     dropped from the copies (the bundle declares 2020-12 once, at its root);
//   - a root that dispatches on `kind` with `allOf` of `if`/`then` (no `oneOf`, so the language
//     server never reports "matches multiple schemas"), with a `kind` enum for completion;
//   - every annotation (`title`, `description`, `default`, `readOnly`, ...) kept for hover.
//
// Draft: the bundle declares JSON Schema 2020-12, like the sources. yaml-language-server >= 1.20
// validates 2019-09/2020-12 natively (it picks the dialect from `$schema`); older releases
// (<= 1.19, still the most installed) run a draft-07 engine that resolves `$defs` pointers and
// `if`/`then` fine but silently ignores `unevaluatedProperties` and `dependentRequired`. So two
// keywords are lowered to forms that mean exactly the same in 2020-12 and that draft-07 engines
// also enforce:
//   - `unevaluatedProperties: false` on an object schema with no in-place applicator (allOf,
//     anyOf, oneOf, not, if/then/else, $ref, dependentSchemas) and no patternProperties or
//     additionalProperties becomes `additionalProperties: false` (with no applicator, the
//     evaluated properties are exactly the ones `properties` lists). The script refuses any other
//     use of `unevaluatedProperties` rather than bundle it silently weaker;
//   - `dependentRequired: {a: [b]}` becomes `allOf: [{if: {required: [a]}, then: {required: [b]}}]`.
// schemas/test/editor-schema.test.ts checks that the bundle accepts and rejects what the per-kind
// schemas do.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeGenerated } from './write-generated.mjs'
import { schemas, schemaIdByKind, apiVersion } from '@planspec/schemas'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const OUT_FILE = resolve(ROOT, 'schemas/editor/planspec.schema.json')
const BASE = 'https://planspec.io/schemas/v1alpha1/'
const DRAFT = 'https://json-schema.org/draft/2020-12/schema'

/** Keywords whose value is data, never a schema: copied verbatim, never walked. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'required', 'title', 'description', '$comment'])
/** Keywords whose value maps names to schemas (the names are data, the values schemas). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas'])
/** In-place applicators: with any of these present, unevaluatedProperties sees more than `properties`. */
const APPLICATORS = ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', '$ref', '$dynamicRef', 'dependentSchemas']

// ---------------------------------------------------------------------------------------------
// Names: file -> prefix. A kind's root is its title (Plan); common.json has no root of its own.

const files = schemas.map((schema) => {
  if (typeof schema.$id !== 'string' || !schema.$id.startsWith(BASE)) throw new Error(`unexpected $id ${schema.$id}`)
  const file = schema.$id.slice(BASE.length)
  const isCommon = file === 'common.json'
  if (!isCommon && !/^[A-Z][A-Za-z]*$/.test(schema.title ?? '')) throw new Error(`${file}: title ${schema.title} is not a type name`)
  return { file, schema, prefix: isCommon ? 'common' : schema.title, hasRoot: !isCommon }
})
const byFile = new Map(files.map((f) => [f.file, f]))

const kinds = Object.keys(schemaIdByKind)
for (const kind of kinds) {
  const file = schemaIdByKind[kind].slice(BASE.length)
  if (byFile.get(file)?.prefix !== kind) throw new Error(`kind ${kind}: ${file} is not titled ${kind}`)
}

const defName = (file, key) => `${byFile.get(file).prefix}_${key}`

/** Rewrite one `$ref` written in `file` to a pointer into the bundle's `$defs`. */
function rewriteRef(ref, file) {
  const hash = ref.indexOf('#')
  const target = hash === -1 ? ref : ref.slice(0, hash)
  const fragment = hash === -1 ? '' : ref.slice(hash + 1)
  let targetFile = file
  if (target !== '') {
    if (!target.startsWith(BASE)) throw new Error(`${file}: $ref ${ref} leaves ${BASE}`)
    targetFile = target.slice(BASE.length)
  }
  const entry = byFile.get(targetFile)
  if (!entry) throw new Error(`${file}: $ref ${ref} names an unknown file`)
  if (fragment === '' || fragment === '/') {
    if (!entry.hasRoot) throw new Error(`${file}: $ref ${ref} points at ${targetFile}, which has no root schema`)
    return `#/$defs/${entry.prefix}`
  }
  if (!fragment.startsWith('/')) throw new Error(`${file}: $ref ${ref}: anchors are not supported`)
  const m = /^\/\$defs\/([^/]+)(\/.*)?$/.exec(fragment)
  if (m) {
    const key = m[1].replaceAll('~1', '/').replaceAll('~0', '~')
    if (!(key in (entry.schema.$defs ?? {}))) throw new Error(`${file}: $ref ${ref}: no such definition`)
    return `#/$defs/${defName(targetFile, key)}${m[2] ?? ''}`
  }
  if (!entry.hasRoot) throw new Error(`${file}: $ref ${ref} points into ${targetFile}'s root`)
  return `#/$defs/${entry.prefix}${fragment}`
}

// ---------------------------------------------------------------------------------------------
// Transform one schema (recursively): local refs, no `$id`/`$schema`, lowered keywords.

function transform(node, file, path) {
  if (Array.isArray(node)) return node.map((n, i) => transform(n, file, `${path}/${i}`))
  if (typeof node !== 'object' || node === null) return node
  const out = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id' || key === '$anchor' || key === '$dynamicAnchor') {
      throw new Error(`${file}${path}: nested ${key} is not supported by the bundler`)
    }
    if (key === '$schema') continue
    if (key === '$ref') out.$ref = rewriteRef(value, file)
    else if (DATA_KEYWORDS.has(key)) out[key] = value
    else if (SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, transform(v, file, `${path}/${key}/${k}`)]))
    } else out[key] = transform(value, file, `${path}/${key}`)
  }
  return lower(out, file, path)
}

/** Lower 2019-09+ assertion keywords to equivalents that draft-07 editors also enforce. */
function lower(schema, file, path) {
  let out = schema
  if ('unevaluatedProperties' in out) {
    const blockers = [...APPLICATORS, 'patternProperties', 'additionalProperties'].filter((k) => k in out)
    if (out.unevaluatedProperties !== false || blockers.length > 0) {
      throw new Error(
        `${file}${path}: unevaluatedProperties ${JSON.stringify(out.unevaluatedProperties)} next to [${blockers.join(', ')}] ` +
          'has no draft-07 equivalent; extend the bundler (and its test) before using it',
      )
    }
    out = Object.fromEntries(Object.entries(out).map(([k, v]) => (k === 'unevaluatedProperties' ? ['additionalProperties', false] : [k, v])))
  }
  if ('dependentRequired' in out) {
    const conditions = Object.entries(out.dependentRequired).map(([name, needs]) => ({
      if: { required: [name] },
      then: { required: needs },
    }))
    const entries = Object.entries(out).filter(([k]) => k !== 'dependentRequired')
    const next = Object.fromEntries(entries)
    next.allOf = [...(out.allOf ?? []), ...conditions]
    out = next
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Assemble

const defs = {}
const add = (name, schema) => {
  if (name in defs) throw new Error(`definition name collision: ${name}`)
  defs[name] = schema
}
for (const { file, schema, prefix, hasRoot } of files) {
  const { $defs: fileDefs = {}, $id: _id, $schema: _schema, ...root } = schema
  if (hasRoot) add(prefix, transform(root, file, ''))
  for (const [key, def] of Object.entries(fileDefs)) add(defName(file, key), transform(def, file, `/$defs/${key}`))
}

const bundle = {
  $schema: DRAFT,
  $comment:
    'GENERATED by tools/codegen/bundle-editor-schema.mjs from schemas/v1alpha1/*.json: do not edit. ' +
    'Self-contained (no $id, only local $refs) for yaml-language-server and other offline editors.',
  title: 'PlanSpec v1alpha1 manifest',
  description:
    `Any PlanSpec ${apiVersion} document, chosen by its \`kind\`: ${kinds.map((k) => `\`${k}\``).join(', ')}. ` +
    'Each kind accepts exactly the fields of its own schema.',
  type: 'object',
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: {
      $ref: '#/$defs/common_apiVersion',
      description: `API version of every PlanSpec document: always \`${apiVersion}\`.`,
    },
    kind: {
      type: 'string',
      description: `Resource type; the rest of the document follows the schema of that kind: ${kinds.map((k) => `\`${k}\``).join(', ')}.`,
      enum: kinds,
    },
  },
  allOf: kinds.map((kind) => ({
    if: { properties: { kind: { const: kind } }, required: ['kind'] },
    then: { $ref: `#/$defs/${kind}` },
  })),
  $defs: defs,
}

// Every local pointer must land on something: a typo here would only show up in an editor.
function checkRefs(node) {
  if (Array.isArray(node)) return node.forEach(checkRefs)
  if (typeof node !== 'object' || node === null) return
  if (typeof node.$ref === 'string') {
    if (!node.$ref.startsWith('#/')) throw new Error(`non-local $ref left: ${node.$ref}`)
    let at = bundle
    for (const raw of node.$ref.slice(2).split('/')) {
      const token = raw.replaceAll('~1', '/').replaceAll('~0', '~')
      if (typeof at !== 'object' || at === null || !(token in at)) throw new Error(`dangling $ref ${node.$ref}`)
      at = at[token]
    }
  }
  for (const value of Object.values(node)) checkRefs(value)
}
checkRefs(bundle)

const output = `${JSON.stringify(bundle, null, 2)}\n`
writeGenerated(OUT_FILE, output, { summary: `${Object.keys(defs).length} definitions, ${Buffer.byteLength(output)} bytes` })

