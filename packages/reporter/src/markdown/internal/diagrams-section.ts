import type { PlanDiff } from '@planspec/core'
import { pluralize } from '../../internal/pluralize.js'
import type { Section } from './fit-sections.js'
import { diagramForms, type DiagramForm } from './diff-mermaid.js'

const TITLE = '### Plan graphs'
const LEGEND = 'Highlighted: `+` added (green), `−` removed (red, dashed), `~` changed (yellow), `↻` rewired (dashed yellow: waits on different nodes). New dependencies are thick or green, removed ones end in a cross.'
/** Diagrams with at most this many nodes start expanded. */
const OPEN_UP_TO = 50

/**
 * The section of Mermaid DAGs, one per Plan whose graph changed, with changes highlighted. Each
 * Plan gets the largest form that fits the room left (whole graph, changes with neighbours,
 * changes alone); a Plan too large to draw at all says so, and a Plan that finds no room is
 * counted in the closing line.
 */
export function diagramsSection(plans: readonly PlanDiff[], priority: number): Section {
  const candidates = plans.filter((p) => p.graphChanged).map((plan) => ({ plan, forms: diagramForms(plan) }))
  if (candidates.length === 0) return { priority, render: () => ({ text: '', complete: true }) }
  return {
    priority,
    render: (budget) => {
      const head = `${TITLE}\n\n${LEGEND}`
      const parts: string[] = []
      let room = budget - head.length - 200
      let skipped = 0
      let complete = true
      for (const { plan, forms } of candidates) {
        const options = forms.length === 0 ? [tooLarge(plan)] : forms.map((form) => chunk(plan, form))
        const fit = options.findIndex((text) => text.length + 2 <= room)
        if (fit < 0) {
          skipped += 1
          complete = false
          continue
        }
        if (fit > 0) complete = false
        parts.push(options[fit] as string)
        room -= (options[fit] as string).length + 2
      }
      if (skipped > 0) parts.push(`_${pluralize(skipped, 'more plan graph')} not drawn here._`)
      return { text: [head, ...parts].join('\n\n'), complete }
    },
  }
}

/** One Plan's diagram, collapsible, with a summary saying how much of the graph it shows. */
function chunk(plan: PlanDiff, form: DiagramForm): string {
  const scope = form.scope === 'all' ? `${pluralize(form.total, 'node')}` : `${form.shown} of ${pluralize(form.total, 'node')}: ${form.scope === 'neighbourhood' ? 'the changes and their neighbours' : 'the changes only'}`
  return `<details${form.shown <= OPEN_UP_TO ? ' open' : ''}><summary>Graph of <code>${escapeHtml(plan.subject)}</code> (${scope})</summary>\n\n${form.mermaid}\n\n</details>`
}

/** The line for a Plan whose changes alone are too large to draw. */
function tooLarge(plan: PlanDiff): string {
  return `Graph of <code>${escapeHtml(plan.subject)}</code>: too large to draw here (${pluralize(plan.nodes.length, 'node')}); run <code>planspec graph</code> locally.`
}

/** Escapes text for HTML content. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"'@]/g, (c) => `&#${c.charCodeAt(0)};`)
}
