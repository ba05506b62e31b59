import type { Diagnostic } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { reviewChange, type ReviewedSide } from '../src/index.js'

const finding = (code: string, file: string, severity: 'error' | 'warning' = 'error'): Diagnostic => ({ code, severity, message: `${code} in ${file}`, file, line: 1, column: 1, endLine: 1, endColumn: 2, path: '' })
const resource = (kind: string, name: string, spec: Record<string, unknown>) => ({ kind, name, namespace: 'default', value: { apiVersion: 'planspec.io/v1alpha1', kind, metadata: { name, namespace: 'default' }, spec } })
const side = (diagnostics: Diagnostic[], resources: ReviewedSide['resources']): ReviewedSide => {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  return { diagnostics, resources, summary: { errors, warnings: diagnostics.length - errors } }
}

const plan = (description: string) => resource('Plan', 'ship', { description, graph: { nodes: [{ id: 'build', kind: 'Task', name: 'Build', capabilityRefs: [{ name: 'build' }] }] } })
const binding = resource('Binding', 'providers', { rules: [{ selector: { capabilityRef: { name: 'build' } }, target: { provider: 'noop://build' } }] })
const execution = resource('Execution', 'ship-1', { planRef: { name: 'ship' }, bindingRef: { name: 'providers' } })

describe('reviewChange', () => {
  it('counts every head finding and computes no diff without a base', async () => {
    const review = await reviewChange({ head: side([finding('PS2004', 'a.yaml'), finding('PS4001', 'b.yaml', 'warning')], []) })
    expect(review).toMatchObject({ summary: { errors: 1, warnings: 1 }, simulations: [] })
    expect(review.findings).toHaveLength(2)
    expect(review.diff).toBeUndefined()
  })

  it('keeps the findings of changed files and the new ones, and simulates the Executions the change touches', async () => {
    const old = finding('PS4001', 'old.yaml', 'warning')
    const review = await reviewChange({
      base: side([old, finding('PS6002', 'changed.yaml', 'warning')], [plan('v1'), binding, execution]),
      head: side([old, finding('PS6002', 'changed.yaml', 'warning'), finding('PS6001', 'elsewhere.yaml', 'warning')], [plan('v2'), binding, execution]),
      changed: new Set(['changed.yaml']),
    })
    expect(review.findings.map((d) => d.file)).toEqual(['changed.yaml', 'elsewhere.yaml'])
    expect(review.summary).toEqual({ errors: 0, warnings: 2 })
    expect(review.diff?.executions.map((e) => e.subject)).toEqual(['execution/default/ship-1'])
    expect(review.simulations).toHaveLength(1)
    expect(review.simulations[0]).toMatchObject({ execution: 'execution/default/ship-1' })
    expect(review.simulationSkipped).toBeUndefined()
  })

  it('says why it did not simulate when head has errors, and reports an Execution it cannot prepare', async () => {
    const broken = await reviewChange({ base: side([], [plan('v1'), execution]), head: side([finding('PS2004', 'plan.yaml')], [plan('v2'), execution]) })
    expect(broken).toMatchObject({ simulations: [], simulationSkipped: 'head has 1 validation error' })
    const unprepared = await reviewChange({ base: side([], [plan('v1'), execution]), head: side([], [execution]) })
    expect(unprepared.simulations[0]?.error).toEqual(expect.any(String))
  })
})
