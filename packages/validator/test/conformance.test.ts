import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createValidator } from '../src/index.js'
import { filesUnder } from './helpers.js'

// Conformance: every real PlanSpec file of the public reference project (../shared/upstream-examples)
// gets the outcome written down here, in strict mode and with --compat. An empty list means valid
// (warnings allowed); otherwise the distinct error codes expected. Each expectation says why.
const ROOT = resolve(import.meta.dirname, '../../../../shared/upstream-examples')

const EXPECTED: Record<string, { strict: string[]; compat: string[] }> = {
  // template with ${VAR} placeholders: not a resource until substituted (SOURCE.md)
  '.claude/skills/planspec/templates/capability.yaml': { strict: ["PS2008","PS2009"], compat: ["PS2008","PS2009"] },
  // template with ${VAR} placeholders: not a resource until substituted (SOURCE.md)
  '.claude/skills/planspec/templates/execution.yaml': { strict: ["PS2009"], compat: ["PS2009"] },
  // template with ${VAR} placeholders: not a resource until substituted (SOURCE.md)
  '.claude/skills/planspec/templates/gate.yaml': { strict: ["PS2007","PS2008","PS2009"], compat: ["PS2007","PS2008","PS2009"] },
  // template with ${VAR} placeholders: not a resource until substituted (SOURCE.md)
  '.claude/skills/planspec/templates/goal.yaml': { strict: ["PS2006","PS2009"], compat: ["PS2006","PS2009"] },
  // template with ${VAR} placeholders: not a resource until substituted (SOURCE.md)
  '.claude/skills/planspec/templates/plan.yaml': { strict: ["PS2005","PS2009","PS2011","PS5001","PS5005"], compat: ["PS2005","PS2009","PS2011"] },
  // historical: Gate nodes without gateRef (PS2005), file-path outputs (PS2008); day durations and legacy shapes are fixable
  'docs/examples/add-context-fields.yaml': { strict: ["PS2005","PS2008","PS5001","PS5005","PS5006"], compat: ["PS2005","PS2008"] },
  // historical: Gate nodes without gateRef, file-path outputs, day durations
  'docs/examples/apiserver-lite.yaml': { strict: ["PS2005","PS2008","PS5001","PS5005","PS5006"], compat: ["PS2005","PS2008"] },
  // passes the strict schemas (SOURCE.md)
  'docs/examples/canonical-feature-release.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md)
  'docs/examples/capability-lib.yaml': { strict: [], compat: [] },
  // file-path outputs are not output names even in compat; singular capabilityRef and when on Gate nodes are legacy
  'docs/examples/context-example.yaml': { strict: ["PS2008","PS5001","PS5005"], compat: ["PS2008"] },
  // passes the strict schemas (SOURCE.md)
  'docs/examples/gate-approval.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md)
  'docs/examples/plan-with-gates.yaml': { strict: [], compat: [] },
  // historical: Gate without gateRef, file-path outputs; integer parameter type and day durations are fixable
  'docs/examples/planspec/apiserver-lite-v2.yaml': { strict: ["PS2005","PS2008","PS5001","PS5004","PS5005","PS5006"], compat: ["PS2005","PS2008"] },
  // historical: Gate without gateRef, file-path outputs, day durations
  'docs/examples/planspec/cli-improvements-v1.yaml': { strict: ["PS2005","PS2008","PS5001","PS5005","PS5006"], compat: ["PS2005","PS2008"] },
  // historical: Gate without gateRef, file-path outputs, day durations
  'docs/examples/planspec/planspec-core-v1.yaml': { strict: ["PS2005","PS2008","PS5001","PS5005","PS5006"], compat: ["PS2005","PS2008"] },
  // passes the strict schemas (SOURCE.md); its capabilities live outside the file (warnings only)
  'docs/examples/simple-goal.yaml': { strict: [], compat: [] },
  // hyphenated output names are not output names; singular capabilityRef is legacy
  'docs/examples/sso-integration.yaml': { strict: ["PS2008","PS5001"], compat: ["PS2008"] },
  // passes the strict schemas (SOURCE.md)
  'docs/examples/task-with-acceptance.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md)
  'docs/planspec/bindings/default-bindings.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md)
  'docs/planspec/capabilities/analysis.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md)
  'docs/planspec/capabilities/development.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md)
  'docs/planspec/capabilities/documentation.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md)
  'docs/planspec/capabilities/planning.yaml': { strict: [], compat: [] },
  // an output of type integer: valid only with --compat (SOURCE.md)
  'docs/planspec/capabilities/testing.yaml': { strict: ["PS5004"], compat: [] },
  // historical fixture that still passes
  'docs/planspec/fixtures/v0.1.0/bindings.yaml': { strict: [], compat: [] },
  // old requirement key capability: and integer types: valid only with --compat (SOURCE.md)
  'docs/planspec/fixtures/v0.1.0/capabilities.yaml': { strict: ["PS5003","PS5004"], compat: [] },
  // day durations (3d, 7d): valid only with --compat, which offers hours
  'docs/planspec/fixtures/v0.1.0/goals.yaml': { strict: ["PS5006"], compat: [] },
  // historical: Gate nodes without gateRef and file-path outputs
  'docs/planspec/fixtures/v0.1.0/plans.yaml': { strict: ["PS2005","PS2008","PS5001","PS5005"], compat: ["PS2005","PS2008"] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/add-context-fields.yaml': { strict: [], compat: [] },
  // non-schema key objectives: (SOURCE.md); no compat shape covers it
  'docs/planspec/goals/cli-batch-edit-features.yaml': { strict: ["PS2004"], compat: ["PS2004"] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/cli-improvements.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/implement-apiserver-lite.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/planspec-core-crate.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/planspec-fixtures-and-integration-tests.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/planspec-goal-to-plan-resolution-mvp.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/planspec-schema-and-conventions-v0.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/planspec-status-and-observability-v0.yaml': { strict: [], compat: [] },
  // passes the strict schemas (SOURCE.md: most goals do)
  'docs/planspec/goals/planspec-v0-ready-for-exponential.yaml': { strict: [], compat: [] },
  // non-schema key objectives: (SOURCE.md)
  'docs/planspec/goals/schema-gate-and-acceptance.yaml': { strict: ["PS2004"], compat: ["PS2004"] },
  // file-path outputs are not output names; singular capabilityRef and Gate-node when/inputs are legacy
  'docs/planspec/plans/add-context-fields-v1.yaml': { strict: ["PS2008","PS5001","PS5005"], compat: ["PS2008"] },
  // file-path outputs are not output names; singular capabilityRef and Gate-node when/inputs are legacy
  'docs/planspec/plans/apiserver-lite-v1.yaml': { strict: ["PS2008","PS5001","PS5005"], compat: ["PS2008"] },
  // file-path outputs are not output names; singular capabilityRef and Gate-node when/inputs are legacy
  'docs/planspec/plans/apiserver-lite-v2.yaml': { strict: ["PS2008","PS5001","PS5005"], compat: ["PS2008"] },
  // a capabilities: list of names: valid only with --compat
  'docs/planspec/plans/cli-batch-edit-features.yaml': { strict: ["PS5002"], compat: [] },
  // file-path outputs are not output names; singular capabilityRef and Gate-node when/inputs are legacy
  'docs/planspec/plans/cli-improvements-v1.yaml': { strict: ["PS2008","PS5001","PS5005"], compat: ["PS2008"] },
  // file-path outputs are not output names; singular capabilityRef and Gate-node when/inputs are legacy
  'docs/planspec/plans/cli-improvements-v2.yaml': { strict: ["PS2008","PS5001","PS5005"], compat: ["PS2008"] },
  // file-path outputs are not output names; singular capabilityRef and Gate-node when/inputs are legacy
  'docs/planspec/plans/planspec-core-v1.yaml': { strict: ["PS2008","PS5001","PS5005"], compat: ["PS2008"] },
  // when/inputs on Gate nodes: valid only with --compat
  'docs/planspec/plans/planspec-v0-goal-graph.yaml': { strict: ["PS5005"], compat: [] },
  // a capabilities: list of names: valid only with --compat
  'docs/planspec/plans/schema-gate-and-acceptance-v1.yaml': { strict: ["PS5002"], compat: [] },
  // packaged-skill template with ${VAR} placeholders (SOURCE.md)
  'skills/planspec/assets/binding.yaml': { strict: ["PS2009","PS2013"], compat: ["PS2009","PS2013"] },
  // packaged-skill template with ${VAR} placeholders (SOURCE.md)
  'skills/planspec/assets/goal.yaml': { strict: ["PS2006","PS2009"], compat: ["PS2006","PS2009"] },
  // packaged-skill template with ${VAR} placeholders (SOURCE.md)
  'skills/planspec/assets/plan.yaml': { strict: ["PS2009","PS2011"], compat: ["PS2009","PS2011"] },
}


const validator = createValidator()
const errorCodes = (file: string, compat: boolean): string[] => {
  const result = validator.validate([{ file, text: readFileSync(join(ROOT, file), 'utf8') }], { compat })
  return [...new Set(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))].sort()
}

describe('conformance with the upstream PlanSpec files', () => {
  it('has an expectation for every upstream file, and a file for every expectation', () => {
    expect(filesUnder(ROOT).map((f) => relative(ROOT, f)).sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    expect({ strict: errorCodes(file, false), compat: errorCodes(file, true) }).toEqual(expected)
  })

  it('positions every finding inside the file', () => {
    for (const file of Object.keys(EXPECTED)) {
      const text = readFileSync(join(ROOT, file), 'utf8')
      const lines = text.split('\n').length
      for (const d of validator.validate([{ file, text }], { compat: true }).diagnostics) {
        expect(d.line, `${file} ${d.code}`).toBeGreaterThanOrEqual(1)
        expect(d.line, `${file} ${d.code}`).toBeLessThanOrEqual(lines)
        expect(d.column).toBeGreaterThanOrEqual(1)
      }
    }
  })

  it('validates the upstream capability, binding and goal set together with references resolved', () => {
    const dirs = ['docs/planspec/capabilities', 'docs/planspec/bindings']
    const files = dirs.flatMap((d) => filesUnder(join(ROOT, d))).map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') }))
    const result = validator.validate(files, { compat: true })
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(result.resources.length).toBeGreaterThanOrEqual(files.length)
  })
})
