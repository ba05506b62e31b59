import { PHASE_STYLES } from '@planspec/reporter'
import { h, link, type Child } from './dom.js'
import { displayText } from './model/display-text.js'

// Gate and Goal phases shown with the icon of the run phase they mean.
const SAME_AS: Readonly<Record<string, string>> = { Approved: 'Succeeded', Rejected: 'Failed', Waiting: 'Blocked', Executing: 'Running', Ready: 'Pending', Planning: 'Pending' }

/** A phase with its icon (the same icons as the PR comments), styled by phase. */
export function phaseBadge(phase: unknown): HTMLElement {
  const text = typeof phase === 'string' && phase !== '' ? phase : 'Pending'
  const like = Object.hasOwn(SAME_AS, text) ? SAME_AS[text]! : text
  const icon = Object.hasOwn(PHASE_STYLES, like) ? PHASE_STYLES[like]!.icon : '•'
  return h('span', { class: `badge phase-${displayText(text, 20).toLowerCase()}` }, `${icon} ${displayText(text, 20)}`)
}

/** A user string in an isolated, escaped span (bidi-isolated, control characters visible, long text cut, full text in the tooltip). */
export function userText(value: unknown, max?: number): HTMLElement {
  const full = displayText(value, 2000)
  return h('bdi', { class: 'user-text', title: full }, displayText(value, max))
}

/** A link to a resource page with the resource's name as user text. */
export function resourceLink(plural: string, namespace: string, name: string, max?: number): HTMLElement {
  return link([plural, namespace, name], userText(name, max))
}

/** A definition list of label/value rows; rows with an undefined value are left out. */
export function facts(rows: readonly (readonly [string, Child | undefined])[]): HTMLElement {
  return h('dl', { class: 'facts' }, rows.filter(([, value]) => value !== undefined).map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]))
}

/** A JSON value, pretty-printed as text (never markup). */
export function jsonBlock(value: unknown): HTMLElement {
  return h('pre', { class: 'json' }, displayText(JSON.stringify(value, null, 2) ?? '', 20_000))
}

/** A section with a heading. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children)
}

/** A table with a header row. */
export function table(headers: readonly string[], rows: readonly (readonly Child[])[], caption?: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', {}, caption === undefined ? null : h('caption', {}, caption), h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))), h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell)))))),
  )
}
