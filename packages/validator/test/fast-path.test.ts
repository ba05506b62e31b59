import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments, stringify } from 'yaml'
import { checkFile, createSchemaValidator, createValidator, DEFAULT_LIMITS, fastParse, parseYamlFile, type SourceFile, type ValidateOptions, type ValidationResult } from '../src/index.js'
import { canonical, mutated, plainValue, tokenSoup, writtenYaml } from './fast-path-arbitraries.js'
import { BAD_INPUT_CORPUS } from './fixtures/bad-input-corpus.js'
import { filesUnder, PLAN } from './helpers.js'

// The differential test of the fast path (issue 15): every input is validated twice, once as
// usual (fast parser first, positions only for files with findings) and once with `keepParsed`,
// which sends every file through the positioned parser. Both must give the same diagnostics
// (code, severity, message, line/column range, JSON pointer, fix), the same resources with
// identical values, and the same code-frame sources for every file with findings.

const REPO = resolve(import.meta.dirname, '../../..')
const UPSTREAM = resolve(REPO, '../shared/upstream-examples')
const SEED = Number(process.env['FC_SEED'] ?? 15_2026)
const RUNS = Number(process.env['FC_RUNS'] ?? 300)
// Generous: a property's runs take a few seconds on a quiet machine.
const TIMEOUT = 60_000 + RUNS * 200
// Printed so that a failure can be replayed: FC_SEED=<seed> npx vitest run test/fast-path.test.ts
console.log(`fast-path differential: fast-check seed ${SEED}, ${RUNS} runs per property`)

const validator = createValidator()
const schema = createSchemaValidator()


function corpusSet(name: string, dir: string): { name: string; files: SourceFile[] } {
  return { name, files: filesUnder(dir, /\.(ya?ml|json)$/).map((f) => ({ file: relative(REPO, f), text: readFileSync(f, 'utf8') })) }
}

// Every example of the repository, and a sample of the benchmark's generated manifests (the set
// the throughput figures are measured on: all of it must take the fast path).
const EXAMPLES = readdirSync(join(REPO, 'examples'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => corpusSet(`examples/${e.name}`, join(REPO, 'examples', e.name)))
const generator = (await import(pathToFileURL(join(REPO, 'tools/bench/generate-manifests.mjs')).href)) as { generateManifests(count: number): { file: string; text: string }[] }
const BENCHMARK = { name: 'benchmark manifests', files: generator.generateManifests(60).map((f): SourceFile => ({ file: f.file, text: f.text })) }

const SETS = [
  ...EXAMPLES,
  BENCHMARK,
  corpusSet('upstream examples', UPSTREAM),
  corpusSet('schema conformance fixtures', join(REPO, 'schemas/test/fixtures')),
  { name: 'bad-input corpus', files: BAD_INPUT_CORPUS },
]
const ALL_TEXTS = SETS.flatMap((s) => s.files.map((f) => f.text).filter((t): t is string => t !== undefined && t.length < 200_000))

const MODES: readonly ValidateOptions[] = [{}, { compat: true }, { closed: true, defaultNamespace: 'team' }]

/** Asserts that both paths agree on `files`; returns the usual result. */
function expectSameOnBothPaths(files: readonly SourceFile[], options: ValidateOptions = {}): ValidationResult {
  const usual = validator.validate(files, options)
  const careful = validator.validate(files, { ...options, keepParsed: true })
  expect(usual.diagnostics).toEqual(careful.diagnostics)
  expect(usual.summary).toEqual(careful.summary)
  expect(usual.resources.map((r) => ({ ...r, value: canonical(r.value) }))).toEqual(careful.resources.map((r) => ({ ...r, value: canonical(r.value) })))
  const withFindings = new Set(usual.diagnostics.map((d) => d.file))
  expect(new Map([...usual.sources].filter(([file]) => withFindings.has(file)))).toEqual(new Map([...careful.sources].filter(([file]) => withFindings.has(file))))
  // Compact values change no finding and no count.
  const compact = validator.validate(files, { ...options, keepValues: false })
  expect(compact.diagnostics).toEqual(usual.diagnostics)
  expect(compact.summary).toEqual(usual.summary)
  return usual
}

/** Asserts that what the fast parser accepts, the positioned parser reads without findings, to the same values. */
function expectSameValues(text: string): void {
  const fast = fastParse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  if (fast === undefined || text.trim() === '') return
  const careful = parseYamlFile('f.yaml', text, { ...DEFAULT_LIMITS, maxDepth: 10_000, maxDocumentsPerFile: 1_000_000 })
  expect(careful.findings.map((f) => `${f.code} ${f.message}`), JSON.stringify(text)).toEqual([])
  expect(fast.map(canonical), JSON.stringify(text)).toEqual(careful.documents.map((d) => canonical(d.value ?? null)))
}

describe('fast path: the corpora give the same result on both paths', () => {
  it.each(SETS.map((s) => [s.name, s] as const))('%s, as a set in every mode and file by file', { timeout: TIMEOUT }, (_name, set) => {
    for (const options of MODES) expectSameOnBothPaths(set.files, options)
    for (const file of set.files) expectSameOnBothPaths([file])
  })

  it('reads every text of the corpora to the same values', () => {
    for (const text of ALL_TEXTS) expectSameValues(text)
  })

  it('takes the fast path for every file of the examples, so the comparisons above are real', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(4)
    const examples = [...EXAMPLES, BENCHMARK].flatMap((s) => s.files.filter((f) => !f.file.endsWith('.planspec.yaml')))
    expect(examples.map((f) => `${f.file}: ${checkFile(schema, f, {}, DEFAULT_LIMITS).path}`)).toEqual(examples.map((f) => `${f.file}: fast`))
    const upstream = SETS.find((s) => s.name === 'upstream examples')!.files.map((f) => checkFile(schema, f, { compat: true }, DEFAULT_LIMITS))
    expect(upstream.filter((c) => c.path === 'fast').length).toBe(upstream.filter((c) => c.diagnostics.length === 0).length)
  })

  it.each([
    ['flow mappings in a block sequence', 'edges:\n  - { from: a, to: b, type: soft }\n  - {from: b, to: c}\n'],
    ['a flow mapping value', 'gateRef: { name: release-approval }\n'],
    ['flow sequences of flow mappings', 'refs: [{name: a}, {name: b, namespace: c}]\n'],
    ['JSON', '{"kind": "Plan", "refs": [{"name": "a"}, {"name": "b"}], "n": [1, 2.5, true, null]}\n'],
    ['templates and CEL operators', 'inputs:\n  tag: "${{ nodes.build.outputs.tag }}"\nwhen: nodes.a.outputs.x != "" && !params.dryRun || a * 2 > 1\n'],
    ['block scalars and comments', '# a comment\ndescription: |\n  Line one\n  Line two # not a comment\nnote: >-\n  folded\n  text\n'],
    ['several documents', '---\na: 1\n---\nb: 2\n...\n'],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  - x\r\n'],
  ])('keeps %s on the fast path', (_name, text) => {
    expect(fastParse(text)).toBeDefined()
    expectSameValues(text)
  })

  it('keeps YAML 1.2 core values on the fast path', () => {
    const text = 'a: NO\nb: 0755\nc: 12:30\nd: ~\ne: .inf\nf: 0x1F\ng: 0o17\nh: 2001-12-14\ni:\nj: -.5\nk: 1_000\nl: 0b11\nm: -0\nn: .NaN\no: 1e3\np: True\nq: yes\nr: "0755"\n'
    expect(fastParse(text)).toEqual([{ a: 'NO', b: 755, c: '12:30', d: null, e: Infinity, f: 31, g: 15, h: '2001-12-14', i: null, j: -0.5, k: '1_000', l: '0b11', m: -0, n: NaN, o: 1000, p: true, q: 'yes', r: '0755' }])
    expectSameValues(text)
  })

  it.each([
    ['an anchor', 'a: &x 1\n'],
    ['an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a custom tag', 'a: !!js/function "() => 1"\n'],
    ['a merge key', 'a: {x: 1}\n<<: {y: 2}\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a %YAML directive', '%YAML 1.2\n---\na: 1\n'],
    ['a tab', 'a:\t1\n'],
    ['a null key', '~: 1\n'],
    ['a collection key', '[a, b]: 1\n'],
    ['an explicit key', '? a\n: 1\n'],
    ['a syntax error', 'a: b: c\n'],
    ['an anchor on an empty node', '&a # c\n---\na: 1\n'],
    ['a tag on an empty node', '!str # c\n---\na: 1\n'],
    ['a non-specific tag', 'a: ! \n'],
    ['a lone carriage return', 'a: é\r'],
    ['a byte-order mark inside the text', 'a: 1\n\ufeff# c\n'],
    ['an indentation indicator', 'a: >2\n    x\n'],
    ['a compact nested sequence', 'a:\n  - - \n  - ""\n'],
    ['an empty sequence item', '\n  - \n- '],
    ['an empty sequence item before a CRLF', 'a:\r\n  -  \r\n- x\r\n'],
    ['an empty sequence item ending the text', 'a:\n  - x\n  -'],
    ['content on a document marker', '--- a: 1\n'],
    ['a marker glued to text', '----\n'],
    ['a comment glued to a quote', "a: 'x'#c\n"],
    ['an escaped line break', 'a: "x\\\n\n  y"\n'],
    ['a block scalar starting with a blank line', 'a: |\n   \n  x\n'],
    ['a key longer than 1024 characters', 'k'.repeat(1100) + ': 1\n'],
    ['a collection as a flow mapping key', 'x: {a: 1, # c\n  [b] }\n'],
    ['a mapping as a flow mapping key', '{\n{\n  "a": 1\n}\n}\n'],
  ])('sends %s to the careful path', (_name, text) => {
    expect(fastParse(text)).toBeUndefined()
    expect(checkFile(schema, { file: 'f.yaml', text }, {}, DEFAULT_LIMITS).path).toBe('careful')
  })
})

describe('fast path: credentials are found in every way YAML can write a string', () => {
  // The fast path skips the credential scan of a file whose text holds no credential prefix
  // (textMayHoldCredentials); a string may be written folded, quoted, escaped, in a block or a
  // flow collection, so each way is checked against the careful path, which always scans.
  const TOKEN = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'f6G7h8'
  const KEY = 'AKIA' + 'ABCDEFGHIJKLMNOP'
  const written: readonly (readonly [string, string])[] = [
    ['plain', `note: ${TOKEN}`],
    ['double-quoted', `note: "${TOKEN}"`],
    ['single-quoted', `note: '${KEY}'`],
    ['folded over lines', `note: see\n            ${TOKEN} here`],
    ['in a literal block', `note: |\n            first line\n            ${KEY}`],
    ['in a folded block', `note: >\n            -----BEGIN\n            RSA PRIVATE KEY-----`],
    ['escaped in double quotes', `note: "\\x67hp_${TOKEN.slice(4)}"`],
    ['a unicode escape', `note: "\\u0041KIA${KEY.slice(4)}"`],
    ['in a flow sequence', `note: [a, ${TOKEN}]`],
    ['in a flow mapping', `note: {a: "${KEY}"}`],
    ['a Slack token', `note: xoxb-1234567890-abcdefghij`],
    ['an API key after a dash', `note: x sk-${'A'.repeat(40)}`],
  ]
  it.each(written)('%s', (_, line) => {
    const text = PLAN.replace('      - id: build\n        kind: Task\n', `      - id: build\n        kind: Task\n        inputs:\n          ${line}\n`)
    expect(text).not.toBe(PLAN)
    const result = expectSameOnBothPaths([{ file: 'plan.yaml', text }])
    expect(result.diagnostics.map((d) => d.code)).toContain('PS6001')
  })
  it('and none is reported where no string holds one', () => {
    const text = PLAN.replace('      - id: build\n        kind: Task\n', '      - id: build\n        kind: Task\n        inputs:\n          note: task-sk-1 mask-ghp_x "AKIA"\n')
    expect(text).not.toBe(PLAN)
    expect(expectSameOnBothPaths([{ file: 'plan.yaml', text }]).diagnostics.map((d) => d.code)).not.toContain('PS6001')
  })
})

describe('fast path: generated YAML gives the same result on both paths', () => {
  const property = <T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => void): void => {
    fc.assert(fc.property(arbitrary, check), { seed: SEED, numRuns: RUNS })
  }

  it('values written by two YAML writers in every style', { timeout: TIMEOUT }, () => {
    property(writtenYaml, (text) => {
      expectSameValues(text)
      expectSameOnBothPaths([{ file: 'w.yaml', text }])
    })
  })

  it('token soups', { timeout: TIMEOUT }, () => {
    property(tokenSoup, (text) => {
      expectSameValues(text)
      expectSameOnBothPaths([{ file: 's.yaml', text }])
    })
  })

  it('mutations of the corpora', { timeout: TIMEOUT }, () => {
    property(mutated(ALL_TEXTS), (text) => {
      expectSameValues(text)
      expectSameOnBothPaths([{ file: 'm.yaml', text }], { compat: true })
    })
  })

  it('manifests with a value replaced, as sets with cross-references', { timeout: TIMEOUT }, () => {
    const manifests = EXAMPLES.flatMap((s) => s.files.flatMap((f) => parseAllDocuments(f.text!).map((d) => JSON.stringify(d.toJS()))))
    const variant = fc.tuple(fc.constantFrom(...manifests), fc.array(fc.tuple(fc.nat(), plainValue), { maxLength: 3 })).map(([json, replacements]) => {
      const value = JSON.parse(json) as Record<string, unknown>
      for (const [n, replacement] of replacements) replaceLeaf(value, n, replacement)
      return value
    })
    property(fc.tuple(fc.array(variant, { minLength: 1, maxLength: 6 }), fc.constantFrom(...MODES)), ([values, options]) => {
      // JSON (compact and indented) and block YAML: each is YAML 1.2.
      const files = values.map((v, i) => ({ file: `r${i}.yaml`, text: i % 3 === 2 ? stringify(v) : JSON.stringify(v, null, i % 3 ? 2 : undefined) }))
      expectSameOnBothPaths(files, options)
    })
  })

  it('the helpers plan with every node kind, mutated', { timeout: TIMEOUT }, () => {
    property(mutated([PLAN]), (text) => {
      expectSameValues(text)
      expectSameOnBothPaths([{ file: 'p.yaml', text }])
    })
  })
})

/** Replaces the `n`-th leaf (modulo the number of leaves) of a value in place. */
function replaceLeaf(root: Record<string, unknown>, n: number, replacement: unknown): void {
  const leaves: [Record<string, unknown> | unknown[], string | number][] = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        if (v && typeof v === 'object') walk(v)
        else leaves.push([node, i])
      })
    }
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (v && typeof v === 'object') walk(v)
        else leaves.push([node as Record<string, unknown>, k])
      }
    }
  }
  walk(root)
  const leaf = leaves[n % Math.max(1, leaves.length)]
  if (leaf) (leaf[0] as Record<string | number, unknown>)[leaf[1]] = replacement
}
