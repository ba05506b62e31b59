import { describe, expect, it } from 'vitest'
import { applyFixes } from '../src/index.js'
import { validateTexts } from './helpers.js'

const LEGACY = `# A plan written for an older PlanSpec
apiVersion: planspec.io/v1alpha1
kind: Plan
metadata:
  name: legacy # keep this comment
spec:
  description: Legacy shapes everywhere
  graph:
    nodes:
      - id: build_image   # underscores were allowed once
        kind: Task
        capabilityRef: { name: builder }
        timeout: 2d
      - id: review
        kind: Task
        capabilities: [reviewer, linter]
        dependsOn: [build_image]
      - id: gate
        kind: Gate
        gateRef: { name: release }
        when: "true"
        inputs: { a: 1 }
    edges:
      - { from: build_image, to: gate }
---
apiVersion: planspec.io/v1alpha1
kind: Capability
metadata:
  name: builder
spec:
  description: Builds images
  requirements:
    - capability: registry
      optional: true
  inputs:
    - name: count
      type: integer # whole numbers only
    - name: settings
      type: object
      properties:
        depth: { name: depth, type: integer }
`

describe('compat mode and planspec fix', () => {
  it('reports every legacy shape as an error in strict mode, with a fix, and nothing twice', () => {
    const result = validateTexts({ 'legacy.yaml': LEGACY })
    const legacy = result.diagnostics.filter((d) => d.code !== 'PS4001')
    expect(legacy.map((d) => `${d.code}@${d.line}:${d.column}:${d.severity}`)).toEqual([
      'PS5007@10:13:error',
      'PS5001@12:9:error',
      'PS5006@13:18:error',
      'PS5002@16:9:error',
      'PS5005@21:9:error',
      'PS5005@22:9:error',
      'PS5003@33:7:error',
      'PS5004@37:13:error',
      'PS5009@40:7:error',
      'PS5004@41:37:error',
    ])
    expect(legacy.every((d) => d.fix && d.fix.edits.length > 0)).toBe(true)
    expect(legacy.find((d) => d.code === 'PS5006')!.message).toBe('"2d" uses a day unit, which durations do not have; write "48h"')
  })

  it('accepts the legacy shapes as warnings with --compat', () => {
    const result = validateTexts({ 'legacy.yaml': LEGACY }, { compat: true, keepParsed: true })
    expect(result.summary.errors).toBe(0)
    expect(result.diagnostics.filter((d) => d.code.startsWith('PS5')).length).toBe(10)
  })

  it('rewrites the file to the current shapes, keeping comments, and the result is valid', () => {
    const result = validateTexts({ 'legacy.yaml': LEGACY }, { compat: true, keepParsed: true })
    const { text, applied } = applyFixes(result.parsed.get('legacy.yaml')!, result.diagnostics)
    expect(applied).toBe(10)
    expect(text).toContain('# A plan written for an older PlanSpec')
    expect(text).toContain('name: legacy # keep this comment')
    expect(text).toContain('- id: build-image # underscores were allowed once')
    expect(text).toContain('type: number # whole numbers only')
    expect(text).toContain('timeout: 48h')
    expect(text).toContain('dependsOn: [build-image]')
    expect(text).toContain('{from: build-image, to: gate}')
    expect(text).not.toMatch(/capabilityRef:|capabilities:|when:|inputs: \{ a|capability: registry|properties:/)
    const after = validateTexts({ 'legacy.yaml': text })
    expect(after.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const plan = after.resources.find((r) => r.kind === 'Plan')!
    const nodes = (plan.value.spec as { graph: { nodes: { id: string; capabilityRefs?: unknown }[] } }).graph.nodes
    expect(nodes[0]!.capabilityRefs).toEqual([{ name: 'builder' }])
    expect(nodes[1]!.capabilityRefs).toEqual([{ name: 'reviewer' }, { name: 'linter' }])
  })

  it('is idempotent: fixing a fixed file changes nothing', () => {
    const first = validateTexts({ 'legacy.yaml': LEGACY }, { compat: true, keepParsed: true })
    const fixed = applyFixes(first.parsed.get('legacy.yaml')!, first.diagnostics).text
    const second = validateTexts({ 'legacy.yaml': fixed }, { compat: true, keepParsed: true })
    expect(applyFixes(second.parsed.get('legacy.yaml')!, second.diagnostics)).toEqual({ text: fixed, applied: 0 })
  })

  it('leaves documents without fixes byte for byte', () => {
    const clean = 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:   {name: odd-spacing}\nspec: {description: "kept as written"}   # trailing\n'
    const text = clean + '---\n' + 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata:\n  name: slow\nspec:\n  description: d\n  timeout: 1w\n'
    const result = validateTexts({ 'two.yaml': text }, { compat: true, keepParsed: true })
    const fixed = applyFixes(result.parsed.get('two.yaml')!, result.diagnostics).text
    expect(fixed.startsWith(clean + '---\n')).toBe(true)
    expect(fixed).toContain('timeout: 168h')
  })

  it('fixes a resource inside a List at the right item', () => {
    const text = 'apiVersion: planspec.io/v1alpha1\nkind: List\nitems:\n  - apiVersion: planspec.io/v1alpha1\n    kind: Goal\n    metadata: {name: a}\n    spec: {description: d}\n  - apiVersion: planspec.io/v1alpha1\n    kind: Goal\n    metadata: {name: b}\n    spec: {description: d, timeout: 3d}\n'
    const result = validateTexts({ 'list.yaml': text }, { compat: true, keepParsed: true })
    expect(result.diagnostics.map((d) => `${d.code}@${d.line}:${d.path}`)).toEqual(['PS5006@11:/items/1/spec/timeout'])
    expect(applyFixes(result.parsed.get('list.yaml')!, result.diagnostics).text).toContain('spec: {description: d, timeout: 72h}')
  })

  it('renames a custom criterion webhook field and does not rename node ids that would collide', () => {
    const text = `apiVersion: planspec.io/v1alpha1
kind: Plan
metadata: {name: p}
spec:
  description: d
  graph:
    nodes:
      - id: a-b
        kind: Task
      - id: a_b
        kind: Task
        acceptanceCriteria:
          - {type: custom, name: ci, webhook: "https://ci.example.org/check", expectedResponse: {statusCode: 200}}
`
    const result = validateTexts({ 'p.yaml': text }, { compat: true, keepParsed: true })
    expect(result.diagnostics.map((d) => `${d.code}:${d.severity}`)).toEqual(['PS2009:error', 'PS5008:warning'])
  })
})
