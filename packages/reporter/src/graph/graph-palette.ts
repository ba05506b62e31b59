/** How a node kind is drawn by every graph renderer (CLI DOT, PR Mermaid, the dashboard's SVG). */
export interface NodeStyle {
  /** Fill colour (`#rrggbb`). */
  readonly fill: string
  /** Border colour. */
  readonly stroke: string
  /** Label colour, readable on `fill`. */
  readonly text: string
  /** Whether the border is dashed (External nodes, ids no node declares). */
  readonly dashed: boolean
}

/** The shapes nodes are drawn as; `missing` is an id that edges or groups name but no node declares. */
export type PaletteShape = 'task' | 'gate' | 'external' | 'group' | 'other' | 'missing'

/**
 * The one palette of node kinds: Task blue, Gate amber, External grey and dashed, Group light
 * grey, a kind this version does not know white, a missing id red and dashed. The DOT and Mermaid
 * renderers and the web dashboard read it, so a plan looks the same in a terminal, a PR and a browser.
 */
export const NODE_PALETTE: Readonly<Record<PaletteShape, NodeStyle>> = {
  task: { fill: '#e8f0fe', stroke: '#1a73e8', text: '#0b1f44', dashed: false },
  gate: { fill: '#fef7e0', stroke: '#e37400', text: '#3c2a00', dashed: false },
  external: { fill: '#f1f3f4', stroke: '#5f6368', text: '#202124', dashed: true },
  group: { fill: '#fafafa', stroke: '#9aa0a6', text: '#202124', dashed: false },
  other: { fill: '#ffffff', stroke: '#5f6368', text: '#202124', dashed: false },
  missing: { fill: '#fce8e6', stroke: '#d93025', text: '#a50e0e', dashed: true },
}

/** How a node or Execution phase is shown: its icon and its rank (most actionable first). */
export interface PhaseStyle {
  readonly icon: string
  readonly rank: number
}

/**
 * The phases in the order people act on them (what failed, what waits on someone, what runs, what
 * is still to come, what ended), each with the icon the PR comments and the dashboard show.
 */
export const PHASE_STYLES: Readonly<Record<string, PhaseStyle>> = {
  Failed: { icon: '✖', rank: 0 },
  Blocked: { icon: '⏸', rank: 1 },
  Running: { icon: '▶', rank: 2 },
  Pending: { icon: '…', rank: 3 },
  Cancelled: { icon: '⊘', rank: 4 },
  Skipped: { icon: '↷', rank: 5 },
  Succeeded: { icon: '✔', rank: 6 },
}

/**
 * Tells how a node kind is drawn: `Task`, `Gate`, `External` and `Group` have their own shape;
 * any other kind is `other`; `undefined` (an id no node declares) is `missing`.
 *
 * @example
 * NODE_PALETTE[shapeOfKind('Gate')].stroke // '#e37400'
 */
export function shapeOfKind(kind: string | undefined): PaletteShape {
  if (kind === undefined) return 'missing'
  return KIND_SHAPES.get(kind) ?? 'other'
}

// A Map, not an object literal: a kind such as `constructor` must not find an inherited property.
const KIND_SHAPES: ReadonlyMap<string, PaletteShape> = new Map([
  ['Task', 'task'],
  ['Gate', 'gate'],
  ['External', 'external'],
  ['Group', 'group'],
])
