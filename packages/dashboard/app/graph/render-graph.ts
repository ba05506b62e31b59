import { NODE_PALETTE, PHASE_STYLES, shapeOfKind } from '@planspec/reporter'
import { s } from '../dom.js'
import { displayText } from '../model/display-text.js'
import type { GraphLayout, PlacedNode } from './layout-graph.js'

/** What the drawing shows of each node's run, and what a click or Enter on a node does. */
export interface GraphDecorations {
  /** The phase of a node (a Group's is derived from its children); absent when no run is shown. */
  readonly phaseOf?: (id: string) => string | undefined
  /** Node ids on the real critical path, outlined. */
  readonly critical?: ReadonlySet<string>
  /** The selected node, marked. */
  readonly selected?: string
  readonly onSelect?: (id: string) => void
}

/**
 * Draws a laid-out plan graph as SVG, built element by element (labels are text nodes). Node
 * kinds keep the shapes and colours of the CLI's DOT and the PR comments' Mermaid (the reporter's
 * `NODE_PALETTE`): Task a rounded box, Gate a diamond, External a dashed box, an unknown kind an
 * ellipse, a missing id a dashed red ellipse; Groups are dashed clusters; soft edges are dashed.
 * A run's phases add the reporter's phase icon and a phase class (coloured border by the style
 * sheet). Each node is focusable and acts as a button (Enter or Space opens its panel).
 */
export function renderGraph(layout: GraphLayout, decorations: GraphDecorations = {}): SVGElement {
  const svg = s('svg', {
    class: 'graph',
    viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
    width: Math.ceil(layout.width),
    height: Math.ceil(layout.height),
    role: 'group',
    'aria-label': 'Plan graph',
  })
  svg.appendChild(
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))),
  )
  for (const group of layout.groups) {
    const style = NODE_PALETTE.group
    const phase = decorations.phaseOf?.(group.id)
    svg.appendChild(
      s(
        'g',
        { class: `cluster${phase === undefined ? '' : ` phase-${phase.toLowerCase()}`}`, 'data-group': group.id },
        s('rect', { x: group.x - group.width / 2, y: group.y - group.height / 2, width: group.width, height: group.height, rx: 10, fill: style.fill, 'fill-opacity': 0.35, stroke: style.stroke, 'stroke-dasharray': '6 4' }),
        s('text', { x: group.x - group.width / 2 + 8, y: group.y - group.height / 2 + 14, class: 'cluster-label' }, group.label),
      ),
    )
  }
  for (const edge of layout.edges) {
    if (edge.points.length === 0) continue
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ')
    const critical = decorations.critical?.has(edge.from) === true && decorations.critical.has(edge.to)
    svg.appendChild(s('path', { d, class: `edge ${edge.soft ? 'soft' : 'hard'}${critical ? ' critical' : ''}`, 'marker-end': 'url(#arrow)', 'data-from': edge.from, 'data-to': edge.to }))
  }
  for (const node of layout.nodes) svg.appendChild(drawNode(node, decorations))
  return svg
}

function drawNode(node: PlacedNode, decorations: GraphDecorations): SVGElement {
  const shape = shapeOfKind(node.kind)
  const style = NODE_PALETTE[shape]
  const phase = decorations.phaseOf?.(node.id)
  const icon = phase === undefined ? '' : `${PHASE_STYLES[phase]?.icon ?? '•'} `
  const classes = ['node', `kind-${shape}`, phase === undefined ? '' : `phase-${phase.toLowerCase()}`, decorations.critical?.has(node.id) ? 'critical' : '', decorations.selected === node.id ? 'selected' : ''].filter((c) => c !== '')
  const select = (): void => decorations.onSelect?.(node.id)
  const group = s('g', {
    class: classes.join(' '),
    transform: `translate(${node.x.toFixed(1)} ${node.y.toFixed(1)})`,
    'data-node': node.id,
    'data-phase': phase,
    ...(decorations.onSelect === undefined ? {} : { tabindex: 0, role: 'button' }),
    'aria-label': `${displayText(node.kind ?? 'missing', 40)} ${node.label}${phase === undefined ? '' : `, ${phase}`}`,
    onclick: select,
    onkeydown: (event: Event) => {
      const key = (event as KeyboardEvent).key
      if (key === 'Enter' || key === ' ') {
        event.preventDefault()
        select()
      }
    },
  })
  const w = node.width / 2
  const hh = node.height / 2
  const paint = { fill: style.fill, stroke: style.stroke, class: 'shape', ...(style.dashed ? { 'stroke-dasharray': shape === 'missing' ? '3 3' : '5 3' } : {}) }
  if (shape === 'gate') group.appendChild(s('polygon', { points: `0,${-hh} ${w},0 0,${hh} ${-w},0`, ...paint }))
  else if (shape === 'other' || shape === 'missing') group.appendChild(s('ellipse', { rx: w, ry: hh, ...paint }))
  else group.appendChild(s('rect', { x: -w, y: -hh, width: node.width, height: node.height, rx: shape === 'task' ? 8 : 2, ...paint }))
  group.appendChild(s('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central', fill: style.text, class: 'label' }, `${icon}${node.label}`))
  group.appendChild(s('title', {}, `${displayText(node.id, 253)}${phase === undefined ? '' : ` (${phase})`}`))
  return group
}
