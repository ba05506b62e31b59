import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { MessageChannel } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { compactPlanNodes, createCheckPool, createValidator, DEFAULT_LIMITS, serveValidation, validateParallel, type CheckReply, type LazySource, type SourceFile, type ValidationResult } from '../src/index.js'
import { canonical } from './fast-path-arbitraries.js'
import { BAD_INPUT_CORPUS } from './fixtures/bad-input-corpus.js'
import { filesUnder, PLAN } from './helpers.js'

// The worker script as built (the test target builds this package first).
const workerUrl = new URL('../dist/validate-worker.js', import.meta.url)
const REPO = resolve(import.meta.dirname, '../../..')
const GOAL = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: ok\nspec:\n  description: A fine goal\n'
const inWorkers = { jobs: 2, parallelFromBytes: 0, workerUrl } as const


const EXAMPLES: SourceFile[] = ['minimal', 'google-sso', 'multi-team'].flatMap((name) => filesUnder(join(REPO, 'examples', name)).map((f) => ({ file: relative(REPO, f), text: readFileSync(f, 'utf8') })))
// Many files with findings of every area, including cross-references between files.
const MIXED: SourceFile[] = [
  ...EXAMPLES,
  ...Array.from({ length: 150 }, (_, i) => ({ file: `gen/plan-${i}.yaml`, text: PLAN.replace('name: release', `name: release-${i}`).replace(i % 3 ? 'dependsOn: [build]' : 'x', 'dependsOn: [bulid]') })),
  ...Array.from({ length: 150 }, (_, i) => ({ file: `gen/goal-${i}.yaml`, text: GOAL.replace('name: ok', i % 5 ? `name: goal-${i}` : `name: Goal_${i}`) })),
]

/** The parts of a result both ways must agree on, with values rendered exactly. */
function comparable(result: ValidationResult): unknown {
  return { diagnostics: result.diagnostics, summary: result.summary, resources: result.resources.map((r) => ({ ...r, value: canonical(r.value) })), sources: [...result.sources] }
}

describe('validateParallel', () => {
  it('gives the in-thread result, in input order, when the set is split across two workers', async () => {
    const expected = createValidator().validate(MIXED, { closed: true })
    expect(expected.diagnostics.length).toBeGreaterThan(50)
    expect(comparable(await validateParallel(MIXED, { ...inWorkers, closed: true }))).toEqual(comparable(expected))
    expect(comparable(await validateParallel(MIXED, { jobs: 1, closed: true }))).toEqual(comparable(expected))
  })

  it('gives the same findings with compact values, and keeps only what references need', async () => {
    const full = await validateParallel(MIXED, inWorkers)
    const compact = await validateParallel(MIXED, { ...inWorkers, keepValues: false })
    expect(compact.diagnostics).toEqual(full.diagnostics)
    expect(compact.summary).toEqual(full.summary)
    for (const plan of compact.resources.filter((r) => r.kind === 'Plan')) {
      const spec = plan.value.spec as { graph?: { nodes?: object[] } }
      for (const key of Object.keys(spec)) expect(['goalRef', 'series', 'version', 'supersedes', 'graph']).toContain(key)
      const nodes = compactPlanNodes(spec) as object[]
      const original = full.resources.find((r) => r.kind === 'Plan' && r.name === plan.name && r.file === plan.file)!
      expect(nodes.map((node) => (node as { id: string }).id)).toEqual(compactPlanNodes(original.value.spec)!.map((node) => (node as { id: string }).id))
      for (const node of nodes) for (const key of Object.keys(node)) expect(['id', 'kind', 'capabilityRefs', 'gateRef', 'externalRef']).toContain(key)
    }
    const size = (r: ValidationResult): number => JSON.stringify(r.resources.map((x) => x.value)).length
    expect(size(compact)).toBeLessThan(size(full))
  })

  it('reads lazy sources once each, and again only the files with reference findings', async () => {
    const reads = new Map<string, number>()
    const lazy: LazySource[] = MIXED.map((source) => ({
      file: source.file,
      size: source.text!.length,
      read: async () => {
        reads.set(source.file, (reads.get(source.file) ?? 0) + 1)
        return { file: source.file, bytes: new TextEncoder().encode(source.text!) }
      },
    }))
    const result = await validateParallel(lazy, { ...inWorkers, closed: true })
    expect(comparable(result)).toEqual(comparable(createValidator().validate(MIXED, { closed: true })))
    const withReferenceFindings = new Set(result.diagnostics.filter((d) => d.code.startsWith('PS4')).map((d) => d.file))
    expect(withReferenceFindings.size).toBeGreaterThan(0)
    for (const source of MIXED) expect(reads.get(source.file), source.file).toBe(withReferenceFindings.has(source.file) ? 2 : 1)
  })

  it('reports a source that cannot be read, and checks the others', async () => {
    const failing: LazySource = { file: 'gone.yaml', read: () => Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' })) }
    const result = await validateParallel([failing, { file: 'goal.yaml', text: GOAL }], inWorkers)
    expect(result.diagnostics).toMatchObject([{ file: 'gone.yaml', code: 'PS1010', message: 'cannot read file: ENOENT' }])
    expect(result.resources.map((r) => r.name)).toEqual(['ok'])
  })

  it('gives every bad input of the table the same coded diagnostic in a worker as in this thread', async () => {
    const expected = createValidator().validate(BAD_INPUT_CORPUS)
    expect(comparable(await validateParallel(BAD_INPUT_CORPUS, inWorkers))).toEqual(comparable(expected))
  })

  it('reports a file that exhausts a worker\'s memory as PS1014, checks the others, and keeps the process alive', async () => {
    const big = GOAL + '  constraints:\n    items:\n' + Array.from({ length: 60_000 }, (_, i) => `      - {a${i}: ${i}, b: x}`).join('\n') + '\n'
    expect(big.length).toBeLessThan(DEFAULT_LIMITS.maxFileBytes * 2)
    const files = [{ file: 'a.yaml', text: GOAL }, { file: 'big.yaml', text: big }, { file: 'b.yaml', text: GOAL.replace('name: ok', 'name: ok-b') }]
    const result = await validateParallel(files, { ...inWorkers, limits: { maxFileBytes: 4 * 1024 * 1024 }, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } })
    expect(result.diagnostics.map((d) => `${d.file}:${d.code}`)).toEqual(['big.yaml:PS1014'])
    expect(result.diagnostics[0]!.message).toBe('file could not be validated: the validator ran out of memory on it')
    expect(result.resources.map((r) => r.name)).toEqual(['ok', 'ok-b'])
  })

  it('fails with a coded error when the worker script cannot start', async () => {
    const missing = new URL('./no-such-worker.js', workerUrl)
    await expect(validateParallel([{ file: 'goal.yaml', text: GOAL }], { ...inWorkers, workerUrl: missing })).rejects.toMatchObject({ code: 'PLANSPEC_ERR_VALIDATOR_WORKER', terminal: true })
  })

  it('stays in this thread for a set under the size threshold', async () => {
    const missing = new URL('./no-such-worker.js', workerUrl)
    const result = await validateParallel([{ file: 'goal.yaml', text: GOAL }], { jobs: 2, workerUrl: missing })
    expect(result.resources.map((r) => r.name)).toEqual(['ok'])
  })
})

describe('createCheckPool: validateEach', () => {
  it('validates each file as a set of its own, as createValidator().validate([file]) does, values exact', async () => {
    const files: SourceFile[] = [...MIXED.slice(0, 40), ...BAD_INPUT_CORPUS, { file: 'special.yaml', text: GOAL + '  constraints:\n    nan: .nan\n    inf: -.inf\n    zero: -0\n' }]
    const pool = createCheckPool({ workerUrl, workers: 2 })
    try {
      const options = { compat: true, outsideReferences: false }
      const results = await Promise.all([pool.validateEach(files.slice(0, 30), options, DEFAULT_LIMITS), pool.validateEach(files.slice(30), options, DEFAULT_LIMITS)])
      const validator = createValidator()
      const expected = files.map((file) => validator.validate([file], options))
      expect(results.flat().map((r) => ({ diagnostics: r.diagnostics, resources: r.resources.map((x) => ({ ...x, value: canonical(x.value) })) }))).toEqual(
        expected.map((r) => ({ diagnostics: r.diagnostics, resources: r.resources.map((x) => ({ ...x, value: canonical(x.value) })) })),
      )
      expect(expected.flatMap((r) => r.diagnostics).some((d) => d.code === 'PS4001')).toBe(false)
    } finally {
      await pool.close()
    }
  })
})

describe('serveValidation', () => {
  it('answers each request on its port with the checks of its files, in order', async () => {
    const { port1, port2 } = new MessageChannel()
    serveValidation(port2)
    const reply = await new Promise<CheckReply>((done) => {
      port1.on('message', (m: CheckReply) => 'id' in m && done(m))
      port1.postMessage({ id: 7, mode: 'check', files: [{ file: 'a.yaml', text: GOAL }, { file: 'b.yaml', text: 'a: [' }], options: {}, limits: DEFAULT_LIMITS })
    })
    port1.close()
    expect('id' in reply && reply.id).toBe(7)
    expect('checks' in reply && reply.checks.map((c) => [c.file, c.path, c.diagnostics.map((d) => d.code)])).toEqual([['a.yaml', 'fast', []], ['b.yaml', 'careful', ['PS1001']]])
  })

  it('answers a request for files validated alone with JSON when every value fits, with values otherwise', async () => {
    const { port1, port2 } = new MessageChannel()
    serveValidation(port2)
    const ask = (id: number, files: SourceFile[]): Promise<CheckReply> =>
      new Promise<CheckReply>((done) => {
        const listener = (m: CheckReply): void => {
          if ('id' in m && m.id === id) {
            port1.off('message', listener)
            done(m)
          }
        }
        port1.on('message', listener)
        port1.postMessage({ id, mode: 'alone', files, options: { outsideReferences: false }, limits: DEFAULT_LIMITS })
      })
    const plain = await ask(9, [{ file: 'a.yaml', text: GOAL }])
    const special = await ask(10, [{ file: 'b.yaml', text: GOAL + '  constraints: {x: .nan}\n' }])
    port1.close()
    expect('json' in plain && JSON.parse(plain.json)).toEqual([{ diagnostics: [], resources: [expect.objectContaining({ name: 'ok', kind: 'Goal' })] }])
    expect('results' in special && Number.isNaN((special.results[0]!.resources[0]!.value.spec as { constraints: { x: number } }).constraints.x)).toBe(true)
  })

  it('answers a malformed request with an error instead of stopping', async () => {
    const { port1, port2 } = new MessageChannel()
    serveValidation(port2)
    const reply = await new Promise<CheckReply>((done) => {
      port1.on('message', (m: CheckReply) => 'id' in m && done(m))
      port1.postMessage({ id: 8, mode: 'check', files: null, options: {}, limits: DEFAULT_LIMITS })
    })
    port1.close()
    expect(reply).toMatchObject({ id: 8, error: expect.any(String) })
  })
})
