import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, parseYamlFile } from '../src/index.js'
import { readSimpleYaml } from '../src/simple-yaml.js'
import { canonical, mutated, simpleDocuments, simpleLines, tokenSoup, writtenYaml } from './fast-path-arbitraries.js'
import { filesUnder, PLAN } from './helpers.js'

// The simple reader's differential test: whatever it accepts, the positioned parser (yaml, the
// careful path) reads without a finding, to the same values. Each property also counts what was
// accepted, so that a reader that gives up on everything fails here too.

const SEED = Number(process.env['FC_SEED'] ?? 15_2026)
const RUNS = Number(process.env['FC_RUNS'] ?? 300) * 3
const TIMEOUT = 60_000 + RUNS * 100

/** Checks one text; returns whether the simple reader accepted it. */
function expectSameAsCareful(text: string): boolean {
  const simple = readSimpleYaml(text, 32)
  if (simple === undefined) return false
  const careful = parseYamlFile('f.yaml', text, { ...DEFAULT_LIMITS, maxDepth: 10_000, maxDocumentsPerFile: 1_000_000 })
  expect(careful.findings.map((f) => `${f.code} ${f.message}`), JSON.stringify(text)).toEqual([])
  expect(simple.map(canonical), JSON.stringify(text)).toEqual(careful.documents.map((d) => canonical(d.value ?? null)))
  return true
}

/** Runs the property over `arbitrary` and expects at least `share` of its texts to be accepted. */
function property(arbitrary: fc.Arbitrary<string>, share: number): void {
  let accepted = 0
  fc.assert(
    fc.property(arbitrary, (text) => {
      if (expectSameAsCareful(text)) accepted++
    }),
    { seed: SEED, numRuns: RUNS },
  )
  expect(accepted / RUNS).toBeGreaterThanOrEqual(share)
}

describe('simple YAML reader: what it accepts, the positioned parser reads the same', () => {
  it('documents in its subset, in every style it reads', { timeout: TIMEOUT }, () => property(simpleDocuments, 0.5))
  it('the same documents, mutated', { timeout: TIMEOUT }, () => property(mutated(fc.sample(simpleDocuments, { seed: SEED, numRuns: 50 })), 0.1))
  it('lines around the edges of its subset', { timeout: TIMEOUT }, () => property(simpleLines, 0))
  it('values written by two YAML writers in every style', { timeout: TIMEOUT }, () => property(writtenYaml, 0.02))
  it('mutations of a plan', { timeout: TIMEOUT }, () => property(mutated([PLAN]), 0.2))
  it('token soups', { timeout: TIMEOUT }, () => property(tokenSoup, 0))
})

const REPO = resolve(import.meta.dirname, '../../..')

describe('simple YAML reader: real manifests', () => {
  it('reads every benchmark manifest and nearly every example of the repository and of the upstream project, as the positioned parser does', async () => {
    const generator = (await import(pathToFileURL(join(REPO, 'tools/bench/generate-manifests.mjs')).href)) as { generateManifests(count: number): { text: string }[] }
    const benchmark = generator.generateManifests(60).map((f) => f.text)
    expect(benchmark.filter((text) => !expectSameAsCareful(text))).toEqual([])
    // Valid examples only: the upstream project's deliberately broken files are not manifests to read.
    const examples = [...filesUnder(join(REPO, 'examples')), ...filesUnder(resolve(REPO, '../shared/upstream-examples/docs'))].map((f) => readFileSync(f, 'utf8')).filter((text) => parseYamlFile('f.yaml', text, DEFAULT_LIMITS).findings.length === 0)
    const accepted = examples.filter(expectSameAsCareful).length
    expect(examples.length).toBeGreaterThan(40)
    expect(accepted / examples.length).toBeGreaterThanOrEqual(0.9)
  })
})

describe('simple YAML reader: its subset', () => {
  it('reads block collections, scalars of every kind, one-line flow collections and block scalars', () => {
    const text = [
      '# a comment',
      '---',
      'apiVersion: planspec.io/v1alpha1',
      'metadata:',
      '  labels: { "planspec.io/team": a, tier: 1 }',
      '  name: a # trailing comment',
      'spec:',
      '  list:',
      '  - plain words',
      '  -   "quoted \\"x\\"\\n"',
      "  - 'it''s'",
      '  - [a, [b, { c: ~ }], 0x1F, -.5, NO]',
      '  - key: value',
      '    other: |',
      '      line one',
      '',
      '        indented',
      '      # not a comment',
      '    folded: >-',
      '      one',
      '      two',
      '',
      '      three',
      '  empty:',
      '  edges:',
      '    []',
      '  when: nodes.a.outputs.b != "" && params["x"] == "eu"',
      '---',
      'second: document',
      '',
    ].join('\n')
    expect(expectSameAsCareful(text)).toBe(true)
    expect(readSimpleYaml(text, 32)).toEqual([
      {
        apiVersion: 'planspec.io/v1alpha1',
        metadata: { labels: { 'planspec.io/team': 'a', tier: 1 }, name: 'a' },
        spec: {
          list: ['plain words', 'quoted "x"\n', "it's", ['a', ['b', { c: null }], 31, -0.5, 'NO'], { key: 'value', other: 'line one\n\n  indented\n# not a comment\n', folded: 'one two\nthree' }],
          empty: null,
          edges: [],
          when: 'nodes.a.outputs.b != "" && params["x"] == "eu"',
        },
      },
      { second: 'document' },
    ])
    // The same text with CRLF line breaks reads to the same values.
    const crlf = text.replaceAll('\n', '\r\n')
    expect(expectSameAsCareful(crlf)).toBe(true)
    expect(readSimpleYaml(crlf, 32)).toEqual(readSimpleYaml(text, 32))
  })

  it.each([
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a tab', 'a:\tb\n'],
    ['a lone carriage return', 'a: b\rc: d\n'],
    ['a carriage return at the end', 'a: b\r'],
    ['a character past the Basic Multilingual Plane', 'a: 𝒳\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['an explicit key', '? a\n: b\n'],
    ['a key with a space', 'a b: c\n'],
    ['a key that is a number', '1: a\n'],
    ['a key that is a boolean', 'true: a\n'],
    ['a null key', '~: a\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a __proto__ key', '__proto__: 1\n'],
    ['an inherited name as a key', 'constructor: 1\n'],
    ['a multi-line plain scalar', 'a: b\n  c\n'],
    ['a multi-line quoted scalar', 'a: "b\n  c"\n'],
    ['a multi-line flow collection', 'a: [b,\n  c]\n'],
    ['a mapping in a plain scalar', 'a: b: c\n'],
    ['an empty sequence item', 'a:\n  -\n  - b\n'],
    ['a compact nested sequence', '- - a\n'],
    ['keep chomping', 'a: |+\n  b\n\n'],
    ['an indentation indicator', 'a: |2\n   b\n'],
    ['blank lines before a block scalar', 'a: |\n\n  b\n'],
    ['a block scalar at the end without a line break', 'a: |\n  b'],
    ['a more indented line in a folded scalar', 'a: >\n  b\n   c\n'],
    ['an uncommon escape', 'a: "\\x41"\n'],
    ['a trailing comma', 'a: [b, ]\n'],
    ['an empty document', '---\n---\na: 1\n'],
    ['content on a document marker', '--- a: 1\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['a comment glued to a quote', 'a: "b"#c\n'],
    ['a dash before a flow indicator', 'a: [-]\n'],
    ['a dash before a comma', 'a: [-, b]\n'],
    ['a dash as a flow mapping value', 'a: {b: -}\n'],
    ['a question mark before a flow indicator', 'a: [b, ?]\n'],
    ['a quoted key longer than 1024 characters with its quotes', `"${'k'.repeat(1023)}": 1\n`],
    ['a later quoted key longer than 1024 characters with its escapes', `x: 1\n'${"''".repeat(512)}': 1\n`],
  ])('gives up on %s', (_name, text) => {
    expect(readSimpleYaml(text, 32)).toBeUndefined()
  })

  it('gives up past its depth limit, and reads up to it', () => {
    const nested = (depth: number): string => Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' leaf\n'
    expect(readSimpleYaml(nested(32), 32)).toBeDefined()
    // A key as long as yaml allows: 1024 characters of text, quotes included.
    expect(expectSameAsCareful(`'${'k'.repeat(1022)}': 1\n`)).toBe(true)
    expect(readSimpleYaml(nested(33), 32)).toBeUndefined()
    expect(readSimpleYaml('a: [[[[1]]]]\n', 4)).toBeUndefined()
    expect(readSimpleYaml('a: [[[1]]]\n', 4)).toEqual([{ a: [[[1]]] }])
    // Whatever the caller's limit, it stops at its own (256 levels), far from the stack's end.
    expect(readSimpleYaml(`a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, Number.POSITIVE_INFINITY)).toBeUndefined()
    expect(readSimpleYaml(nested(20_000), 1e9)).toBeUndefined()
    expect(readSimpleYaml(nested(256), 1e9)).toBeDefined()
  })

  it('reads a long file in time linear in its length (one search for comments and escapes over the whole text)', () => {
    // Each value line has no comment and no backslash: a search from each value to the end of the
    // text would make this quadratic (about 5 * 10^9 character steps). Counted, not timed: the
    // lines read equal the lines written.
    const lines = Array.from({ length: 100_000 }, (_, i) => `k${i}: "v${i}" `)
    const read = readSimpleYaml(lines.join('\n') + '\n# c \\ #\n', 32)
    expect(Object.keys((read as Record<string, unknown>[])[0]!)).toHaveLength(100_000)
  })
})
