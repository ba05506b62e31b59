// Benchmark: `planspec validate` over 10,000 generated manifests against a raw baseline that only
// parses with the same YAML library and runs a compiled ajv validate of the same strings.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createValidator } from '@planspec/validator'
import { schemas, schemaIdByKind } from '@planspec/schemas'
import { generateManifests } from './generate-manifests.mjs'

// The baseline uses the very libraries the validator resolves.
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('@planspec/validator'))
const { Ajv2020 } = requireFromValidator('ajv/dist/2020.js')
const addFormats = requireFromValidator('ajv-formats').default
const YAML = requireFromValidator('yaml')

function baseline(files) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true })
  addFormats(ajv)
  for (const schema of schemas) ajv.addSchema(schema)
  const compiled = new Map(Object.entries(schemaIdByKind).map(([kind, id]) => [kind, ajv.getSchema(id)]))
  return () => {
    let invalid = 0
    for (const { text } of files) {
      const doc = YAML.parse(text)
      if (!compiled.get(doc.kind)(doc)) invalid++
    }
    return invalid
  }
}

function ours(files) {
  const validator = createValidator()
  return () => validator.validate(files).summary.errors
}

function time(fn) {
  const start = process.hrtime.bigint()
  const result = fn()
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Runs the benchmark and prints its figures. */
export async function run(args) {
  const count = Number(args.find((a) => a.startsWith('--count='))?.slice(8) ?? 10_000)
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5)
  const files = generateManifests(count)
  const bytes = files.reduce((n, f) => n + f.text.length, 0)
  const nodes = files.reduce((n, f) => n + (f.text.match(/^ {6}- id: /gm)?.length ?? 0), 0)
  console.log(`validate: ${files.length} manifests, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${nodes} plan nodes, ${rounds} interleaved rounds`)
  const runBaseline = baseline(files)
  const runOurs = ours(files)
  // Warm up both (JIT, schema compilation) before measuring.
  const warm = { baseline: time(runBaseline), ours: time(runOurs) }
  if (warm.baseline.result !== 0 || warm.ours.result !== 0) throw new Error(`generated manifests should be valid: baseline ${warm.baseline.result}, planspec ${warm.ours.result} errors`)
  const b = []
  const o = []
  for (let r = 0; r < rounds; r++) {
    b.push(time(runBaseline).ms)
    o.push(time(runOurs).ms)
  }
  const bMs = median(b)
  const oMs = median(o)
  const ratio = bMs / oMs
  console.log(`  baseline (yaml.parse + ajv validate): median ${bMs.toFixed(0)} ms = ${((files.length / bMs) * 1000).toFixed(0)} manifests/s`)
  console.log(`  planspec validate (everything):       median ${oMs.toFixed(0)} ms = ${((files.length / oMs) * 1000).toFixed(0)} manifests/s`)
  console.log(`  throughput ratio planspec/baseline:   ${(ratio * 100).toFixed(0)}% (goal >= 80%)`)

  // Cold start: a fresh process validating one small file, against a bare `node` start.
  const dir = mkdtempSync(join(tmpdir(), 'planspec-bench-'))
  writeFileSync(join(dir, 'goal.yaml'), files.find((f) => f.file.includes('/goals/')).text)
  const bin = new URL('../../packages/cli/bin/planspec.js', import.meta.url).pathname
  const cold = []
  const bare = []
  for (let r = 0; r < 7; r++) {
    cold.push(time(() => spawnSync(process.execPath, [bin, 'validate', join(dir, 'goal.yaml')], { stdio: 'ignore' })).ms)
    bare.push(time(() => spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' })).ms)
  }
  console.log(`  cold planspec validate of one file:   median ${median(cold).toFixed(0)} ms (bare node start ${median(bare).toFixed(0)} ms; goal <= 300 ms)`)
  return { ratio, coldMs: median(cold) }
}
