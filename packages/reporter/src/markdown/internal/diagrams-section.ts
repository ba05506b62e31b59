import type { PlanDiff } from '@planspec/core'
import { pluralize } from '../../internal/pluralize.js'
import type { Section } from './fit-sections.js'
import { diagramForms, type DiagramForm } from './diff-mermaid.js'

const TITLE = '### Plan graphs'
const LEGEND = [
  'Changes: **+ added** (green), **− removed** (red, dashed border), **~ changed** (yellow), **↻ rewired** (gray with a dashed yellow border: waits on different nodes).',
  'Unchanged nodes are gray: a blue border for a Task, purple for a Gate (diamond), dashed for an External; groups are gray boxes, yellow when the group itself changed.',
  'New dependencies are thick green arrows, removed ones red and dashed, ending in a cross; a hard ↔ soft change is yellow.',
].join(' ')
/**
 * Widest drawing shown at once, in CSS pixels: GitHub fits a diagram to the comment's width
 * (about 880 px), so a wider one shrinks its labels; past this, the changes and their neighbours
 * are drawn instead and the whole graph goes in a collapsed block.
 */
export const READABLE_WIDTH = 1100
/** Most nodes drawn at once for the same reason. */
export const READABLE_NODES = 40

/**
 * The section of Mermaid DAGs, one per Plan whose graph changed, with changes highlighted and a
 * legend that names every colour. Each Plan gets the largest form that a reader can read at
 * GitHub's width (whole graph, changes with neighbours, changes alone): when that is not the
 * whole graph, the whole graph follows in a collapsed `<details>` if there is room. Within the
 * room left, smaller forms are taken; a Plan too large to draw says so, and a Plan that finds no
 * room is counted in the closing line.
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
        const options = choices(plan, forms)
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

/** What to show for one Plan, best first: the readable form (plus the whole graph collapsed), then smaller forms alone. */
function choices(plan: PlanDiff, forms: readonly DiagramForm[]): string[] {
  if (forms.length === 0) return [tooLarge(plan)]
  const readable = forms.findIndex((f) => f.width <= READABLE_WIDTH && f.shown <= READABLE_NODES)
  const start = readable < 0 ? forms.length - 1 : readable
  const whole = forms[0] as DiagramForm
  const shown = forms.slice(start).map((form) => chunk(plan, form, true))
  return start > 0 && whole.scope === 'all' ? [`${shown[0]}\n\n${chunk(plan, whole, false)}`, ...shown] : shown
}

/** One Plan's diagram, collapsible, with a summary saying how much of the graph it shows. */
function chunk(plan: PlanDiff, form: DiagramForm, open: boolean): string {
  const scope = form.scope === 'all' ? `${pluralize(form.total, 'node')}` : `${form.shown} of ${pluralize(form.total, 'node')}: ${form.scope === 'neighbourhood' ? 'the changes and their neighbours' : 'the changes only'}`
  const what = form.scope === 'all' && !open ? 'The whole graph of' : 'Graph of'
  return `<details${open ? ' open' : ''}><summary>${what} <code>${escapeHtml(plan.subject)}</code> (${scope})</summary>\n\n${form.mermaid}\n\n</details>`
}

/** The line for a Plan whose changes alone are too large to draw. */
function tooLarge(plan: PlanDiff): string {
  return `Graph of <code>${escapeHtml(plan.subject)}</code>: too large to draw here (${pluralize(plan.nodes.length, 'node')}); run <code>planspec graph</code> locally.`
}

/** Escapes text for HTML content. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"'@]/g, (c) => `&#${c.charCodeAt(0)};`)
}
