import { createHash } from 'node:crypto'
import { canonicalJson, findCycle, findGroupCycle, hardAncestorTest, normalizeGraph, type GraphNodeLike, type NormalizedEdge, type NormalizedGraph } from '@planspec/core'
import { parseExpression, parseTemplates, EXPRESSION_ROOTS, type ExpressionReference } from './expressions.js'
import type { PathIssue } from './finding.js'
import { toPointer } from './positions.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Checks the graph rules of one Plan (RESOURCES 2.10, DECISIONS §2-§3) on a schema-valid spec:
 * unique ids, dangling edges, dependsOn and children, self-loops, cycles (with their path),
 * duplicate edges, edges touching Groups, group cycles, `when` and `${{ }}` expressions (CEL,
 * hard-ancestor and declared-output references), reserved input keys, acceptance-criteria
 * regexes and ids, and `graphDigest`.
 *
 * @example
 * checkPlanGraph(plan.spec) // [{ code: 'PS3006', message: 'cycle: a → b → a', path: '/spec/graph/edges/1' }]
 */
export function checkPlanGraph(spec: Obj): PathIssue[] {
  const graph = spec.graph
  if (!isObj(graph) || !Array.isArray(graph.nodes)) return []
  const nodes = graph.nodes.filter(isObj) as unknown as GraphNodeLike[]
  const issues: PathIssue[] = []
  const at = (...segments: (string | number)[]): string => toPointer(['spec', 'graph', ...segments])

  // G1: unique node ids.
  const firstIndex = new Map<string, number>()
  nodes.forEach((node, i) => {
    const seen = firstIndex.get(node.id)
    if (seen === undefined) firstIndex.set(node.id, i)
    else issues.push({ code: 'PS3001', message: `node id "${node.id}" is already used by node ${seen}`, path: at('nodes', i, 'id') })
  })
  const normalized = normalizeGraph({ nodes, edges: Array.isArray(graph.edges) ? (graph.edges as never[]) : [] })
  const kindOf = (id: string): string | undefined => normalized.nodeById.get(id)?.kind

  // G2, G3, G7 and edges touching Groups, reported where they are written.
  const broken = new Set<NormalizedEdge>()
  const checkEnd = (edge: NormalizedEdge, end: 'from' | 'to', id: string, isDependsOn: boolean): void => {
    if (!normalized.nodeById.has(id)) {
      broken.add(edge)
      issues.push(isDependsOn
        ? { code: 'PS3003', message: `dependsOn names "${id}", which is not a node of this plan`, path: edgePath(edge) }
        : { code: 'PS3002', message: `edge ${end} "${id}", which is not a node of this plan`, path: `${edgePath(edge)}/${end}` })
    } else if (kindOf(id) === 'Group') {
      broken.add(edge)
      issues.push({ code: 'PS3008', message: isDependsOn && end === 'from' ? `dependsOn names group "${id}"; groups create no edges, depend on its children instead` : `edge ${end} group "${id}"; groups create no edges, use its children instead`, path: isDependsOn ? edgePath(edge) : `${edgePath(edge)}/${end}` })
    }
  }
  for (const list of [normalized.edges, normalized.duplicates]) {
    for (const edge of list) {
      const isDependsOn = edge.source.kind === 'dependsOn'
      if (edge.from === edge.to) {
        broken.add(edge)
        issues.push({ code: 'PS3005', message: isDependsOn ? `node "${edge.to}" depends on itself` : `edge from "${edge.from}" to itself`, path: edgePath(edge) })
        continue
      }
      checkEnd(edge, 'from', edge.from, isDependsOn)
      // The node holding dependsOn exists.
      if (!isDependsOn) checkEnd(edge, 'to', edge.to, isDependsOn)
      if (isDependsOn && kindOf(edge.to) === 'Group' && !broken.has(edge)) {
        broken.add(edge)
        issues.push({ code: 'PS3008', message: `group "${edge.to}" has dependsOn; groups create no edges`, path: edgePath(edge) })
      }
    }
  }
  // G5: duplicates collapse, with a warning where the duplicate is written. A dependsOn item that
  // repeats an explicit edge is the documented shorthand overlap (RESOURCES 2.8), not a finding.
  for (const duplicate of normalized.duplicates) {
    if (!broken.has(duplicate) && duplicate.source.kind === 'edge') issues.push({ code: 'PS3007', message: `duplicate edge from "${duplicate.from}" to "${duplicate.to}"`, path: edgePath(duplicate) })
  }
  // G6: group children, and groups containing themselves.
  nodes.forEach((node, i) => {
    if (node.kind !== 'Group' || !Array.isArray(node.children)) return
    node.children.forEach((child, j) => {
      if (!normalized.nodeById.has(child)) issues.push({ code: 'PS3004', message: `child "${child}" is not a node of this plan`, path: at('nodes', i, 'children', j) })
    })
  })
  const groupCycle = findGroupCycle(normalized)
  if (groupCycle) {
    const first = groupCycle[0]!
    issues.push({ code: 'PS3009', message: `group cycle: ${groupCycle.join(' ⊃ ')}`, path: at('nodes', firstIndex.get(first) ?? 0, 'children') })
  }
  // G4: acyclic over the well-formed edges, with the cycle's path in the message.
  const cycle = findCycle(normalized, (e) => !broken.has(e))
  if (cycle) {
    const closing = normalized.edges.find((e) => e.from === cycle[0] && e.to === cycle[1]) ?? normalized.edges.find((e) => e.from === cycle[cycle.length - 2] && e.to === cycle[cycle.length - 1])
    issues.push({ code: 'PS3006', message: `cycle: ${cycle.join(' → ')}`, path: closing ? edgePath(closing) : at('nodes', firstIndex.get(cycle[0]!) ?? 0) })
  }
  // One ancestry per plan, dropped with it (core's per-graph memo would keep every plan's nodes
  // alive until a full collection).
  const isHardAncestor = hardAncestorTest(normalized)
  nodes.forEach((node, i) => checkTask(node as unknown as Obj, i, normalized, isHardAncestor, cycle !== undefined, issues))
  const digest = spec.graphDigest
  if (typeof digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(digest)) {
    const actual = graphDigest(graph)
    if (actual !== digest) issues.push({ code: 'PS3015', message: `graphDigest does not match the graph (the graph's digest is ${actual})`, path: '/spec/graphDigest', fix: { description: 'set graphDigest to the digest of the graph', edits: [{ op: 'set', path: '/spec/graphDigest', value: actual }] } })
  }
  return issues
}

function edgePath(edge: NormalizedEdge): string {
  return edge.source.kind === 'edge'
    ? toPointer(['spec', 'graph', 'edges', edge.source.index])
    : toPointer(['spec', 'graph', 'nodes', edge.source.nodeIndex, 'dependsOn', edge.source.itemIndex])
}

/** What the checks of one Task node share. */
interface TaskContext {
  readonly index: number
  readonly id: string
  readonly graph: NormalizedGraph
  readonly isHardAncestor: (nodeId: string, candidate: string) => boolean
  readonly cyclic: boolean
  readonly issues: PathIssue[]
}

/** The pointer of a field of the Task node at `index`. */
function taskPath(index: number, segments: readonly (string | number)[]): string {
  return toPointer(['spec', 'graph', 'nodes', index, ...segments])
}

function checkTask(node: Obj, index: number, graph: NormalizedGraph, isHardAncestor: TaskContext['isHardAncestor'], cyclic: boolean, issues: PathIssue[]): void {
  if (node.kind !== 'Task') return
  const task: TaskContext = { index, id: String(node.id), graph, isHardAncestor, cyclic, issues }
  if (typeof node.when === 'string') {
    const parsed = parseExpression(node.when)
    if (!parsed.ok) issues.push({ code: 'PS3010', message: `when is not a valid CEL expression: ${parsed.message}`, path: taskPath(index, ['when']), within: { start: parsed.offset, end: parsed.offset + 1 } })
    else checkExpressionReferences(task, parsed.references, ['when'], 0)
  }
  if (isObj(node.inputs)) {
    for (const key of Object.keys(node.inputs)) {
      if (key.startsWith('_')) issues.push({ code: 'PS3016', message: `input key "${key}" starts with "_", which is reserved for the system`, path: taskPath(index, ['inputs', key]), key: true })
    }
    walkStrings(node.inputs, ['inputs'], task, checkTemplates)
  }
  if (Array.isArray(node.acceptanceCriteria)) {
    const ids = new Map<string, number>()
    node.acceptanceCriteria.forEach((criterion, j) => {
      if (!isObj(criterion)) return
      if (typeof criterion.id === 'string') {
        if (ids.has(criterion.id)) issues.push({ code: 'PS2016', message: `criterion id "${criterion.id}" is already used by criterion ${ids.get(criterion.id)}`, path: taskPath(index, ['acceptanceCriteria', j, 'id']) })
        else ids.set(criterion.id, j)
      }
      for (const field of ['contentMatch', 'outputMatch', 'bodyMatch']) checkRegex(criterion[field], index, ['acceptanceCriteria', j, field], issues)
      if (isObj(criterion.expectedResponse)) checkRegex(criterion.expectedResponse.bodyMatch, index, ['acceptanceCriteria', j, 'expectedResponse', 'bodyMatch'], issues)
    })
  }
}

/** Checks the `${{ }}` templates of one input string at `segments` (read at once: the array is reused). */
function checkTemplates(task: TaskContext, text: string, segments: readonly (string | number)[]): void {
  if (!text.includes('${{')) return
  for (const template of parseTemplates(text)) {
    const parsed = template.parsed
    if (parsed === undefined) {
      task.issues.push({ code: 'PS3014', message: 'template "${{" has no closing "}}"', path: taskPath(task.index, segments), within: { start: template.start - 3, end: template.end } })
      continue
    }
    if (!parsed.ok) task.issues.push({ code: 'PS3010', message: `template is not a valid CEL expression: ${parsed.message}`, path: taskPath(task.index, segments), within: { start: template.start + parsed.offset, end: template.start + parsed.offset + 1 } })
    else checkExpressionReferences(task, parsed.references, segments, template.start)
  }
}

/** Checks what an expression of a Task reads: known roots, nodes that are hard ancestors, declared outputs. */
function checkExpressionReferences(task: TaskContext, refs: readonly ExpressionReference[], segments: readonly (string | number)[], base: number): void {
  const { graph, issues } = task
  // The range of a finding is built only for a finding. An indexed loop: this runs for every
  // expression of every Task, and an iterator here is an object each time.
  for (let r = 0; r < refs.length; r++) {
    const ref = refs[r]!
    if (ref.type === 'root') {
      if (!EXPRESSION_ROOTS.has(ref.name)) issues.push({ code: 'PS3013', message: `unknown variable "${ref.name}"; expressions may use params, inputs, nodes and goal`, path: taskPath(task.index, segments), within: rangeOf(ref, base) })
      continue
    }
    const target = graph.nodeById.get(ref.node)
    if (!target) {
      issues.push({ code: 'PS3011', message: `nodes.${ref.node} is not a node of this plan`, path: taskPath(task.index, segments), within: rangeOf(ref, base) })
      continue
    }
    // With a cycle, "ancestor" has no meaning; the cycle is reported instead.
    if (!task.cyclic && !task.isHardAncestor(task.id, ref.node)) {
      issues.push({ code: 'PS3011', message: `nodes.${ref.node} is not a hard ancestor of "${task.id}"; add an edge or dependsOn so it finishes first`, path: taskPath(task.index, segments), within: rangeOf(ref, base) })
      continue
    }
    if (ref.field !== 'outputs' || ref.output === undefined) continue
    const outputs = (target as unknown as Obj).outputs
    const declared = Array.isArray(outputs) ? (outputs as unknown[]) : []
    if (!declared.includes(ref.output)) {
      const list = declared.length ? `it declares ${declared.join(', ')}` : 'it declares no outputs'
      issues.push({ code: 'PS3012', message: `nodes.${ref.node}.outputs.${ref.output} is not declared (${list})`, path: taskPath(task.index, segments), within: rangeOf(ref, base) })
    }
  }
}

/** The range of a reference inside the string its expression was found in. */
function rangeOf(ref: ExpressionReference, base: number): { start: number; end: number } {
  return { start: base + ref.start, end: base + ref.end }
}

function checkRegex(pattern: unknown, index: number, segments: readonly (string | number)[], issues: PathIssue[]): void {
  if (typeof pattern !== 'string') return
  try {
    new RegExp(pattern)
  } catch (error) {
    issues.push({ code: 'PS2017', message: `not a valid regular expression: ${(error as Error).message}`, path: taskPath(index, segments) })
  }
}

/** Calls `visit` for every string under `value` with its path; `segments` is one array, extended and restored on the way. */
function walkStrings<T>(value: unknown, segments: (string | number)[], context: T, visit: (context: T, text: string, segments: readonly (string | number)[]) => void): void {
  if (typeof value === 'string') visit(context, value, segments)
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      segments.push(i)
      walkStrings(value[i], segments, context, visit)
      segments.pop()
    }
  } else if (isObj(value)) {
    const keys = Object.keys(value)
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      segments.push(key)
      walkStrings(value[key], segments, context, visit)
      segments.pop()
    }
  }
}

/**
 * Computes the digest of a Plan graph (G10): `sha256:` and the hex SHA-256 of the graph's
 * canonical JSON (object keys sorted at every depth, no whitespace, arrays in order), as
 * written in `spec.graph` (before `dependsOn` normalization).
 *
 * @example
 * graphDigest({ nodes: [{ id: 'a', kind: 'Task' }] }) // 'sha256:…'
 */
export function graphDigest(graph: unknown): string {
  return 'sha256:' + createHash('sha256').update(canonicalJson(graph)).digest('hex')
}

