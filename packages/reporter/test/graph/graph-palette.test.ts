import { describe, expect, it } from 'vitest'
import { NODE_PALETTE, PHASE_STYLES, renderGraphDot, renderGraphMermaid, shapeOfKind } from '../../src/index.js'
import { normalizeGraph } from '@planspec/core'

describe('graph palette', () => {
  it('maps every node kind to its shape, unknown kinds to other and undeclared ids to missing', () => {
    expect(['Task', 'Gate', 'External', 'Group', 'Widget', 'constructor', undefined].map(shapeOfKind)).toEqual(['task', 'gate', 'external', 'group', 'other', 'other', 'missing'])
  })

  it('is what the DOT and Mermaid renderers draw with', () => {
    const graph = normalizeGraph({ nodes: [{ id: 'a', kind: 'Task' }, { id: 'g', kind: 'Gate', gateRef: { name: 'x' } }], edges: [{ from: 'a', to: 'g' }] })
    const dot = renderGraphDot(graph)
    expect(dot).toContain(`fillcolor="${NODE_PALETTE.task.fill}", color="${NODE_PALETTE.task.stroke}"`)
    expect(dot).toContain(`fillcolor="${NODE_PALETTE.gate.fill}", color="${NODE_PALETTE.gate.stroke}"`)
    const mermaid = renderGraphMermaid(graph)
    expect(mermaid).toContain(`classDef gate fill:${NODE_PALETTE.gate.fill},stroke:${NODE_PALETTE.gate.stroke},color:${NODE_PALETTE.gate.text}`)
  })

  it('ranks phases most actionable first, each with a distinct icon', () => {
    const ranked = Object.entries(PHASE_STYLES).sort((a, b) => a[1].rank - b[1].rank).map(([phase]) => phase)
    expect(ranked).toEqual(['Failed', 'Blocked', 'Running', 'Pending', 'Cancelled', 'Skipped', 'Succeeded'])
    expect(new Set(Object.values(PHASE_STYLES).map((s) => s.icon)).size).toBe(7)
  })
})
