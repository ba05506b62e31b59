// The editor bundle (schemas/editor/planspec.schema.json, written by
// tools/codegen/bundle-editor-schema.mjs): one self-contained schema for yaml-language-server. It must
// compile on its own, accept every example manifest, reject what the per-kind schemas reject, and
// never point outside itself (editors cannot fetch https://planspec.io).
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import YAML from 'yaml'
import { schemaIdByKind, schemas, type SchemaKind } from '../index.js'
import { errorsOf, fixture, repoRoot, schemasDir, summarize, type Doc } from './support.js'

const addFormats = formats.default
const BUNDLE_FILE = resolve(schemasDir, 'editor/planspec.schema.json')
const bundle = JSON.parse(readFileSync(BUNDLE_FILE, 'utf8')) as Doc
const kinds = Object.keys(schemaIdByKind) as SchemaKind[]

/** Everything the standalone Ajv logged (strict-mode warnings included): expected to stay empty. */
const log: string[] = []

/** A fresh Ajv2020 with nothing but formats: the bundle has to stand on its own. */
function standaloneAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    logger: {
      log: () => undefined,
      warn: (...args: unknown[]) => void log.push(`warn: ${args.join(' ')}`),
      error: (...args: unknown[]) => void log.push(`error: ${args.join(' ')}`),
    },
  })
  addFormats(ajv)
  return ajv
}

const validateBundle: ValidateFunction = standaloneAjv().compile(bundle)

/** The bundle's RepositoryConfig definition, for `.planspec.yaml` (same document, another entry point). */
const validateRepositoryConfig: ValidateFunction = (() => {
  const { allOf: _allOf, properties: _properties, required: _required, type: _type, ...rest } = bundle
  return standaloneAjv().compile({ ...rest, $ref: '#/$defs/RepositoryConfig' })
})()

const bundleErrors = (doc: unknown, validate = validateBundle): ErrorObject[] => (validate(doc) ? [] : [...(validate.errors ?? [])])

/** Every node of a JSON value with its JSON-pointer path. */
function* walk(node: unknown, path = ''): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* walk(item, `${path}/${i}`)
  } else if (typeof node === 'object' && node !== null) {
    yield [path, node as Record<string, unknown>]
    for (const [key, value] of Object.entries(node)) yield* walk(value, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`)
  }
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let at: unknown = root
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (typeof at !== 'object' || at === null || !(token in at)) return undefined
    at = (at as Record<string, unknown>)[token]
  }
  return at
}

/** Every file under `dir` (recursively) whose name passes `keep`. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = resolve(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path, keep)
    return keep(entry.name) ? [path] : []
  })
}

const examplesDir = resolve(repoRoot, 'examples')
const isYaml = (name: string): boolean => /\.ya?ml$/.test(name)
const manifestFiles = filesUnder(examplesDir, (name) => isYaml(name) && name !== '.planspec.yaml').sort()
const repositoryConfigFiles = filesUnder(examplesDir, (name) => name === '.planspec.yaml').sort()

function documentsOf(file: string): Doc[] {
  const docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'))
  return docs.flatMap((d) => {
    expect(d.errors, file).toEqual([])
    const value = d.toJSON() as Doc
    return value === null || value === undefined ? [] : [value]
  })
}

describe('editor schema bundle', () => {
  it('compiles standalone with Ajv2020 (no other schema added) without strict-mode warnings', () => {
    expect(typeof validateBundle).toBe('function')
    expect(typeof validateRepositoryConfig).toBe('function')
    expect(log).toEqual([])
    expect(bundle.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
  })

  it('has only local $refs, each resolving inside the document, and no $id or nested $schema', () => {
    let refs = 0
    for (const [path, node] of walk(bundle)) {
      expect(node, path).not.toHaveProperty('$id')
      if (path !== '') expect(node, path).not.toHaveProperty('$schema')
      if (typeof node.$ref === 'string' && !path.includes('/properties/$ref')) {
        refs++
        expect(node.$ref, path).toMatch(/^#\//)
        expect(resolvePointer(bundle, node.$ref.slice(1)), `${path} -> ${node.$ref}`).toBeDefined()
      }
    }
    expect(refs).toBeGreaterThan(200)
    expect(JSON.stringify(bundle)).not.toContain('planspec.io/schemas')
  })

  it('holds every source root and definition under a collision-free name', () => {
    const expected: string[] = []
    for (const schema of schemas as Doc[]) {
      const file = (schema.$id as string).split('/').pop()
      const prefix = file === 'common.json' ? 'common' : (schema.title as string)
      if (file !== 'common.json') expected.push(prefix)
      for (const key of Object.keys(schema.$defs ?? {})) expected.push(`${prefix}_${key}`)
    }
    expect(Object.keys(bundle.$defs).sort()).toEqual([...expected].sort())
    for (const kind of kinds) expect(bundle.$defs[kind].title).toBe(kind)
    expect(bundle.$defs.Plan_taskNode).toBeDefined()
    expect(bundle.$defs.common_dnsLabel).toBeDefined()
  })

  it('dispatches on kind with if/then and offers the kind enum for completion', () => {
    expect(bundle.properties.kind.enum).toEqual(kinds)
    expect(bundle.allOf).toEqual(
      kinds.map((kind) => ({ if: { properties: { kind: { const: kind } }, required: ['kind'] }, then: { $ref: `#/$defs/${kind}` } })),
    )
    expect(bundle).not.toHaveProperty('oneOf')
    expect(bundle).not.toHaveProperty('anyOf')
  })

  it('keeps every title, description and default of the sources (hover and completion)', () => {
    const collect = (root: unknown, key: string): string[] =>
      [...walk(root)].filter(([path, node]) => key in node && !/\/(properties|\$defs)$/.test(path)).map(([, node]) => JSON.stringify(node[key]))
    for (const key of ['title', 'description', 'default']) {
      const inBundle = new Map<string, number>()
      for (const v of collect(bundle, key)) inBundle.set(v, (inBundle.get(v) ?? 0) + 1)
      const missing: string[] = []
      // common.json's own title and description describe the file, which defines no schema of its own.
      const sources = (schemas as Doc[]).map((s) => (s.$id.endsWith('/common.json') ? { $defs: s.$defs } : s))
      for (const v of sources.flatMap((s) => collect(s, key))) {
        const n = inBundle.get(v) ?? 0
        if (n === 0) missing.push(v)
        else inBundle.set(v, n - 1)
      }
      expect(missing, key).toEqual([])
    }
  })

  it('leaves no 2019-09+ assertion keyword that older yaml-language-server releases ignore', () => {
    const text = JSON.stringify(bundle)
    expect(text).not.toContain('"unevaluatedProperties"')
    expect(text).not.toContain('"dependentRequired"')
  })
})

describe('examples against the editor bundle', () => {
  it('finds the example manifests', () => {
    expect(manifestFiles.length).toBeGreaterThanOrEqual(30)
    expect(repositoryConfigFiles.length).toBeGreaterThanOrEqual(3)
  })

  it.each(manifestFiles.map((f) => [relative(repoRoot, f), f]))('%s is valid', (_name, file) => {
    const docs = documentsOf(file)
    expect(docs.length).toBeGreaterThan(0)
    for (const doc of docs) {
      const errors = bundleErrors(doc)
      expect(errors, `${doc.kind} ${doc.metadata?.name ?? ''}:\n${summarize(errors)}`).toEqual([])
    }
  })

  it.each(repositoryConfigFiles.map((f) => [relative(repoRoot, f), f]))('%s is a valid RepositoryConfig', (_name, file) => {
    for (const doc of documentsOf(file)) {
      const errors = bundleErrors(doc, validateRepositoryConfig)
      expect(errors, summarize(errors)).toEqual([])
    }
  })

  it('accepts every valid fixture, a List of the six core kinds and minimal documents', () => {
    const docs: Doc[] = [
      ...['goal', 'plan', 'capability', 'binding', 'execution', 'gate', 'role', 'cluster-role', 'role-binding', 'cluster-role-binding'].map(fixture),
      {
        apiVersion: 'planspec.io/v1alpha1',
        kind: 'List',
        metadata: { resourceVersion: '7' },
        items: ['goal', 'plan', 'capability', 'binding', 'execution', 'gate'].map(fixture),
      },
      { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: [] },
      { apiVersion: 'planspec.io/v1alpha1', kind: 'ClusterRole', metadata: { name: 'm' } },
    ]
    for (const doc of docs) {
      expect(errorsOf(doc), `per-kind ${doc.kind}`).toEqual([])
      const errors = bundleErrors(doc)
      expect(errors, `${doc.kind}:\n${summarize(errors)}`).toEqual([])
    }
    expect(bundleErrors(fixture('repository-config'), validateRepositoryConfig)).toEqual([])
  })

  it('every example manifest starts with a modeline that points at the bundle', () => {
    for (const file of manifestFiles.filter((f) => f.includes('/planspec/'))) {
      const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? ''
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)
      expect(m, relative(repoRoot, file)).not.toBeNull()
      expect(resolve(dirname(file), m?.[1] ?? ''), relative(repoRoot, file)).toBe(BUNDLE_FILE)
    }
  })

  it.skipIf(!existsSync(resolve(repoRoot, '.vscode/settings.json')))('.vscode/settings.json maps the bundle to PlanSpec files', () => {
    const settings = JSON.parse(readFileSync(resolve(repoRoot, '.vscode/settings.json'), 'utf8')) as Doc
    expect(settings['yaml.schemas']['./schemas/editor/planspec.schema.json']).toEqual(['examples/**/planspec/**/*.yaml', '**/planspec/**/*.yaml'])
  })
})

interface Case {
  name: string
  fixture: string
  /** The per-kind schema to check against (default: the mutated document's own kind). */
  as?: SchemaKind
  mutate: (doc: Doc) => Doc | void
  /** Both validators must report an error at this instance path. */
  instancePath: string
}

const nodeOf = (plan: Doc, id: string): Doc => plan.spec.graph.nodes.find((n: Doc) => n.id === id)
const NODES = '/spec/graph/nodes'
const listOf = (...items: Doc[]): Doc => ({ apiVersion: 'planspec.io/v1alpha1', kind: 'List', items })

const invalid: Case[] = [
  { name: 'unknown top-level field', fixture: 'goal', mutate: (d) => void (d.extra = true), instancePath: '' },
  { name: 'unknown metadata field', fixture: 'plan', mutate: (d) => void (d.metadata.selfLink = '/x'), instancePath: '/metadata' },
  { name: 'unknown spec field', fixture: 'capability', mutate: (d) => void (d.spec.owner = 'me'), instancePath: '/spec' },
  { name: 'unknown field on a Task node', fixture: 'plan', mutate: (d) => void (nodeOf(d, 'writer').children = ['schema']), instancePath: `${NODES}/1` },
  { name: 'unknown field on an External node', fixture: 'plan', mutate: (d) => void (nodeOf(d, 'ticket').inputs = {}), instancePath: `${NODES}/4` },
  { name: 'unknown field on an RBAC object', fixture: 'role', mutate: (d) => void (d.spec = {}), instancePath: '' },
  { name: 'wrong kind (not a PlanSpec kind)', fixture: 'goal', as: 'Goal', mutate: (d) => void (d.kind = 'Goals'), instancePath: '/kind' },
  { name: 'wrong kind (a Gate labelled Goal)', fixture: 'gate', mutate: (d) => void (d.kind = 'Goal'), instancePath: '/spec' },
  { name: 'wrong kind (a Task node kind)', fixture: 'plan', mutate: (d) => void (nodeOf(d, 'writer').kind = 'Job'), instancePath: `${NODES}/1/kind` },
  { name: 'wrong apiVersion', fixture: 'execution', mutate: (d) => void (d.apiVersion = 'planspec.io/v1'), instancePath: '/apiVersion' },
  { name: 'missing apiVersion', fixture: 'binding', mutate: (d) => void delete d.apiVersion, instancePath: '' },
  { name: 'bad DNS name', fixture: 'goal', mutate: (d) => void (d.metadata.name = 'Web_Auth-'), instancePath: '/metadata/name' },
  { name: 'DNS name over 63 characters', fixture: 'plan', mutate: (d) => void (d.metadata.name = 'a'.repeat(64)), instancePath: '/metadata/name' },
  { name: 'bad DNS node id', fixture: 'plan', mutate: (d) => void (nodeOf(d, 'writer').id = 'Writer'), instancePath: `${NODES}/1/id` },
  { name: '7d duration', fixture: 'goal', mutate: (d) => void (d.spec.timeout = '7d'), instancePath: '/spec/timeout' },
  { name: 'bare-number duration', fixture: 'plan', mutate: (d) => void (nodeOf(d, 'warehouse-ready').pollInterval = '0'), instancePath: `${NODES}/3/pollInterval` },
  { name: 'Gate node with when', fixture: 'plan', mutate: (d) => void (nodeOf(d, 'finance-signoff').when = 'true'), instancePath: `${NODES}/2` },
  { name: 'Gate node without gateRef', fixture: 'plan', mutate: (d) => void delete nodeOf(d, 'finance-signoff').gateRef, instancePath: `${NODES}/2` },
  { name: 'Group node with timeout', fixture: 'plan', mutate: (d) => void (nodeOf(d, 'build').timeout = '1h'), instancePath: `${NODES}/6` },
  { name: 'series without version', fixture: 'plan', mutate: (d) => void delete d.spec.version, instancePath: '/spec' },
  { name: 'version without series', fixture: 'plan', mutate: (d) => void delete d.spec.series, instancePath: '/spec' },
  { name: 'unquoted numeric label value', fixture: 'goal', mutate: (d) => void (d.metadata.labels = { tier: 2 }), instancePath: '/metadata/labels/tier' },
  { name: 'List holding a List', fixture: 'goal', mutate: (d) => listOf(d, listOf()), instancePath: '/items/1/kind' },
  { name: 'List item with an unknown field', fixture: 'gate', mutate: (d) => listOf({ ...d, extra: 1 }), instancePath: '/items/0' },
  { name: 'List item with a 7d duration', fixture: 'goal', mutate: (d) => listOf({ ...d, spec: { ...d.spec, timeout: '7d' } }), instancePath: '/items/0/spec/timeout' },
  { name: 'List with metadata.name', fixture: 'goal', mutate: (d) => ({ ...listOf(d), metadata: { name: 'x' } }), instancePath: '/metadata' },
]

describe('invalid documents fail against the bundle as against the per-kind schemas', () => {
  it.each(invalid.map((c) => [c.name, c]))('%s', (_name, c) => {
    const doc = fixture(c.fixture)
    expect(errorsOf(doc), 'the unmutated fixture is valid').toEqual([])
    const mutated = (c.mutate(doc) ?? doc) as Doc
    const perKind = errorsOf(mutated, c.as)
    const inBundle = bundleErrors(mutated)
    expect(perKind.length, 'per-kind schema rejects it').toBeGreaterThan(0)
    expect(inBundle.length, 'bundle rejects it').toBeGreaterThan(0)
    expect(perKind.map((e) => e.instancePath), summarize(perKind)).toContain(c.instancePath)
    expect(inBundle.map((e) => e.instancePath), summarize(inBundle)).toContain(c.instancePath)
  })
})

describe('bundle-editor-schema --check', () => {
  it('exits 0: the committed bundle is up to date with schemas/v1alpha1', () => {
    const run = spawnSync(process.execPath, ['tools/codegen/bundle-editor-schema.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' })
    expect(run.stderr + run.stdout).toBe('')
    expect(run.status).toBe(0)
  })
})
