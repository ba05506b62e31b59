import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { diffPlan, diffResources } from '@planspec/core'
import { contrastRatio, launchMermaidBrowser, type MermaidBrowser, type MermaidRender } from '@planspec/testing'
import { marked } from 'marked'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderGraphMermaid } from '../../src/graph/render-graph-mermaid.js'
import { diagramForms } from '../../src/markdown/internal/diff-mermaid.js'
import { renderReviewMarkdown } from '../../src/markdown/render-review-markdown.js'
import { renderSimulationGantt } from '../../src/simulation/render-simulation-gantt.js'
import { awkwardGroups, bigGraph, graphOf, edge, releaseGraph } from '../fixtures/graphs.js'
import { DAY, GANTT_NAMES, ganttReport, HOUR } from '../fixtures/simulation.js'
import { changelogDiff, changelogSimulation, chainNodes, plan } from '../markdown/fixtures.js'

// Every Mermaid text the reporter writes is rendered by the real mermaid package in headless
// Chromium, as GitHub's viewer renders it, and must draw without a parse error.
const SNAPSHOTS = join(import.meta.dirname, '../markdown/__snapshots__')
const NASTY = ['end', 'A "quoted" <b>bold</b> & #35; @team GH-3', 'click x call y()', 'style a fill:red', '%%{init: {}}%%', '```mermaid', 'x --> y', 'line\nbreak', '日本語 🚀']
const BACKGROUND = { default: '#ffffff', dark: '#0d1117' } as const

/** The ```mermaid blocks of a Markdown document, found with a Markdown parser. */
function mermaidBlocks(markdown: string): string[] {
  const blocks: string[] = []
  const visit = (tokens: readonly { type: string; lang?: string; text?: string; tokens?: unknown[]; items?: unknown[] }[]): void => {
    for (const token of tokens) {
      if (token.type === 'code' && token.lang === 'mermaid') blocks.push(token.text as string)
      if (Array.isArray(token.tokens)) visit(token.tokens as never)
      if (Array.isArray(token.items)) visit(token.items as never)
    }
  }
  visit(marked.lexer(markdown) as never)
  return blocks
}

/** Strips the Markdown fence of a diagram form. */
const unfence = (text: string): string => text.replace(/^```mermaid\n/, '').replace(/\n```$/, '')

function expectDrawn(render: MermaidRender, what: string): void {
  expect({ what, error: render.error }).toEqual({ what, error: undefined })
  expect(render.width).toBeGreaterThan(0)
}

/** Every node and group label has 4.5:1 contrast on its fill, every edge 3:1 on the page. */
function expectLegible(render: MermaidRender, theme: 'default' | 'dark'): void {
  expect(render.painted.filter((p) => p.kind === 'node').length).toBeGreaterThan(0)
  for (const element of render.painted) {
    if (element.kind === 'edge') expect({ edge: element.label, theme, contrast: contrastRatio(element.stroke, BACKGROUND[theme]) >= 3 }).toEqual({ edge: element.label, theme, contrast: true })
    else expect({ label: element.label, theme, contrast: contrastRatio(element.text, element.fill) >= 4.5 }).toEqual({ label: element.label, theme, contrast: true })
  }
}

describe('every Mermaid output, rendered by mermaid in headless Chromium', () => {
  let browser: MermaidBrowser
  beforeAll(async () => {
    browser = await launchMermaidBrowser()
  }, 120_000)
  afterAll(async () => browser?.close())

  it('plan graphs (planspec graph -o mermaid), names drawn literally', { timeout: 120_000 }, async () => {
    const nasty = graphOf(NASTY.map((name, i) => ({ id: i === 0 ? 'end' : `n-${i}`, kind: ['Task', 'Gate', 'External', 'Milestone'][i % 4] as string, name })), [edge('end', 'n-1'), edge('n-1', 'n-2', 'soft')])
    for (const [what, graph] of [['release', releaseGraph], ['groups', awkwardGroups], ['big', bigGraph()], ['nasty', nasty]] as const) {
      for (const theme of ['default', 'dark'] as const) {
        const render = await browser.renderMermaid(renderGraphMermaid(graph, { title: `${what} "plan" #1` }), theme)
        expectDrawn(render, what)
        if (what !== 'big') expectLegible(render, theme)
        if (what === 'nasty') for (const name of NASTY) expect(render.texts).toContain(name.replace('\n', ' '))
      }
    }
  })

  it('review diagrams: every node kind and state styled, legible in the light and dark themes', { timeout: 120_000 }, async () => {
    const base = plan('p', [{ id: 'a', kind: 'Task' }, { id: 'b', kind: 'Gate', gateRef: { name: 'g' } }, { id: 'x', kind: 'External' }, { id: 'gone', kind: 'Task' }, { id: 'grp', kind: 'Group', children: ['a'] }, { id: 'keep', kind: 'Group', children: ['x'] }, { id: 'm', kind: 'Milestone' }], [{ from: 'x', to: 'a', type: 'soft' }, { from: 'a', to: 'gone', type: 'soft' }, { from: 'x', to: 'm' }])
    const head = plan('p', [{ id: 'a', kind: 'Task', name: NASTY[1] }, { id: 'b', kind: 'Gate', gateRef: { name: 'g' } }, { id: 'x', kind: 'External' }, { id: 'new', kind: 'Milestone' }, { id: 'grp', kind: 'Group', children: ['a', 'new'] }, { id: 'keep', kind: 'Group', children: ['x'] }, { id: 'm', kind: 'Milestone' }], [{ from: 'x', to: 'a' }, { from: 'a', to: 'b', type: 'soft' }, { from: 'ghost', to: 'new' }, { from: 'x', to: 'm' }])
    const diffs = [diffPlan(base, head), ...changelogDiff.plans, diffPlan(plan('c', chainNodes(60)), plan('c', chainNodes(60).map((n) => (n.id === 't30' ? { ...n, description: 'x' } : n))))]
    for (const diff of diffs) {
      for (const form of diagramForms(diff)) {
        for (const theme of ['default', 'dark'] as const) {
          const render = await browser.renderMermaid(unfence(form.mermaid), theme)
          expectDrawn(render, `${diff.subject} ${form.scope} ${theme}`)
          expectLegible(render, theme)
        }
      }
    }
  })

  it('the review comments of the snapshots, and a review rendered now', { timeout: 120_000 }, async () => {
    const documents = readdirSync(SNAPSHOTS).map((file) => readFileSync(join(SNAPSHOTS, file), 'utf8'))
    documents.push(renderReviewMarkdown({ diff: diffResources([], [plan('fresh', [{ id: 'a', kind: 'Task', name: NASTY[1] }])]), simulations: [{ execution: 'execution/default/e', report: changelogSimulation }] }))
    const blocks = documents.flatMap(mermaidBlocks)
    expect(blocks.length).toBeGreaterThan(2)
    for (const [i, block] of blocks.entries()) expectDrawn(await browser.renderMermaid(block), `block ${i}`)
  })

  it('Gantt charts (planspec simulate -o mermaid): names on rows and bars, no red, the same axis in every time zone', { timeout: 180_000 }, async () => {
    const spans = [40 * 60_000, 3 * DAY, 45 * DAY, 500 * DAY]
    const axes = new Map<string, string[]>()
    for (const timezoneId of ['UTC', 'America/Los_Angeles', 'Asia/Kathmandu', 'Pacific/Chatham']) {
      const zoned = await launchMermaidBrowser({ timezoneId })
      try {
        for (const span of spans) {
          const render = await zoned.renderMermaid(renderSimulationGantt(ganttReport(span), { names: GANTT_NAMES }))
          expectDrawn(render, `${timezoneId} ${span}`)
          const ticks = render.texts.filter((t) => /^(\+\d\d:\d\d|day \d+(, \d\d:\d\d)?|year \d+, day \d+)$/.test(t))
          expect(ticks.length).toBeGreaterThan(2)
          const key = String(span)
          if (!axes.has(key)) axes.set(key, ticks)
          expect({ timezoneId, span, ticks }).toEqual({ timezoneId, span, ticks: axes.get(key) })
          for (const name of GANTT_NAMES.values()) expect(render.texts.some((t) => t.startsWith(name))).toBe(true)
          expect(render.svg).not.toMatch(/class="[^"]*\bcrit/)
        }
      } finally {
        await zoned.close()
      }
    }
    // Hours from the start for a short run, days for a long one; never a wall-clock date.
    expect(axes.get(String(40 * 60_000))?.[0]).toBe('+00:00')
    expect(axes.get(String(3 * DAY))?.[0]).toBe('day 1, 00:00')
    expect(axes.get(String(45 * DAY))).toEqual(['day 7', 'day 14', 'day 21', 'day 28', 'day 35', 'day 42'])
    expect(HOUR).toBe(3_600_000)
  })
})
