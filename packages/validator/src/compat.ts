import { parseDuration, type DiagnosticFix } from '@planspec/core'
import type { Code } from './codes.js'
import { toPointer } from './positions.js'

/** A legacy shape found in a resource, with the fix that rewrites it. */
export interface LegacyIssue {
  readonly code: Code
  readonly message: string
  readonly path: string
  readonly key: boolean
  readonly fix: DiagnosticFix
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Finds the legacy shapes of older PlanSpec files (DECISIONS §2) in a resource and rewrites them
 * in place to the current shape, so that schema and graph checks see what `planspec fix` would
 * produce and report nothing twice. `value` must be the caller's own copy.
 *
 * @example
 * const issues = normalizeLegacy(structuredClone(plan)) // [{ code: 'PS5001', fix: … }]
 */
export function normalizeLegacy(value: Obj): LegacyIssue[] {
  const issues: LegacyIssue[] = []
  const spec = value.spec
  if (!isObj(spec)) return issues
  const kind = value.kind
  if (kind === 'Goal') fixDuration(spec, ['spec'], 'timeout', issues)
  if (kind === 'Plan') normalizePlan(spec, issues)
  if (kind === 'Capability') normalizeCapability(spec, issues)
  return issues
}

function normalizePlan(spec: Obj, issues: LegacyIssue[]): void {
  const graph = spec.graph
  if (!isObj(graph) || !Array.isArray(graph.nodes)) return
  const nodes = graph.nodes as unknown[]
  nodes.forEach((node, i) => {
    if (!isObj(node)) return
    const at = ['spec', 'graph', 'nodes', i]
    if (node.kind === 'Task') normalizeTaskRefs(node, at, issues)
    if (node.kind === 'Gate') {
      for (const field of ['when', 'inputs', 'timeout']) {
        if (field in node) {
          delete node[field]
          issues.push(issue('PS5005', `"${field}" is not a field of Gate nodes (legacy shape); it is ignored`, [...at, field], true, `remove ${field} from Gate node`, [{ op: 'remove', path: toPointer([...at, field]) }]))
        }
      }
    }
    if (node.kind === 'Task' || node.kind === 'External') fixDuration(node, at, 'timeout', issues)
    if (node.kind === 'External') fixDuration(node, at, 'pollInterval', issues)
    if (node.kind === 'Task' && Array.isArray(node.acceptanceCriteria)) {
      node.acceptanceCriteria.forEach((criterion, j) => {
        if (!isObj(criterion)) return
        const cat = [...at, 'acceptanceCriteria', j]
        fixDuration(criterion, cat, 'timeout', issues)
        if (criterion.type === 'custom' && 'webhook' in criterion && !('webhookUrl' in criterion)) {
          criterion.webhookUrl = criterion.webhook
          delete criterion.webhook
          issues.push(issue('PS5008', 'custom criteria name their service in "webhookUrl", not "webhook"', [...cat, 'webhook'], true, 'rename webhook to webhookUrl', [{ op: 'rename', path: toPointer([...cat, 'webhook']), to: 'webhookUrl' }]))
        }
      })
    }
  })
  renameUnderscoreIds(graph, nodes, issues)
}

function normalizeTaskRefs(node: Obj, at: (string | number)[], issues: LegacyIssue[]): void {
  if ('capabilityRef' in node) {
    const ref = node.capabilityRef
    const existing = Array.isArray(node.capabilityRefs) ? node.capabilityRefs : undefined
    const merged = existing ? [...existing, ref] : [ref]
    delete node.capabilityRef
    node.capabilityRefs = merged
    const edits: DiagnosticFix['edits'] = existing
      ? [{ op: 'set', path: toPointer([...at, 'capabilityRefs']), value: merged }, { op: 'remove', path: toPointer([...at, 'capabilityRef']) }]
      : [{ op: 'rename', path: toPointer([...at, 'capabilityRef']), to: 'capabilityRefs' }, { op: 'set', path: toPointer([...at, 'capabilityRefs']), value: merged }]
    issues.push(issue('PS5001', 'the singular "capabilityRef" is a legacy shape; use "capabilityRefs: [...]"', [...at, 'capabilityRef'], true, 'rewrite capabilityRef as capabilityRefs', edits))
  }
  if ('capabilities' in node && Array.isArray(node.capabilities) && node.capabilities.every((c) => typeof c === 'string')) {
    const refs = (node.capabilities as string[]).map((name) => ({ name }))
    const existing = Array.isArray(node.capabilityRefs) ? node.capabilityRefs : []
    const merged = [...existing, ...refs]
    delete node.capabilities
    node.capabilityRefs = merged
    const edits: DiagnosticFix['edits'] = existing.length
      ? [{ op: 'set', path: toPointer([...at, 'capabilityRefs']), value: merged }, { op: 'remove', path: toPointer([...at, 'capabilities']) }]
      : [{ op: 'rename', path: toPointer([...at, 'capabilities']), to: 'capabilityRefs' }, { op: 'set', path: toPointer([...at, 'capabilityRefs']), value: merged }]
    issues.push(issue('PS5002', 'a "capabilities" list of names is a legacy shape; use "capabilityRefs: [{name: ...}]"', [...at, 'capabilities'], true, 'rewrite capabilities as capabilityRefs', edits))
  }
}

function normalizeCapability(spec: Obj, issues: LegacyIssue[]): void {
  if (Array.isArray(spec.requirements)) {
    spec.requirements.forEach((req, i) => {
      if (isObj(req) && 'capability' in req && !('name' in req)) {
        const at = ['spec', 'requirements', i, 'capability']
        req.name = req.capability
        delete req.capability
        issues.push(issue('PS5003', 'requirements name the capability with "name", not "capability"', at, true, 'rename capability to name', [{ op: 'rename', path: toPointer(at), to: 'name' }]))
      }
    })
  }
  for (const list of ['inputs', 'outputs']) {
    const params = spec[list]
    if (Array.isArray(params)) params.forEach((p, i) => normalizeParameter(p, ['spec', list, i], issues))
  }
}

function normalizeParameter(param: unknown, at: (string | number)[], issues: LegacyIssue[]): void {
  if (!isObj(param)) return
  if (param.type === 'integer') {
    param.type = 'number'
    issues.push(issue('PS5004', 'parameter type "integer" is not allowed; use "number"', [...at, 'type'], false, 'change type integer to number', [{ op: 'set', path: toPointer([...at, 'type']), value: 'number' }]))
  }
  // Paths name the source as written: nested findings under a renamed "properties" point there
  // (fixes are applied last line first, so they land before the rename).
  let sourceKey = 'objectProperties'
  if ('properties' in param && !('objectProperties' in param)) {
    param.objectProperties = param.properties
    delete param.properties
    sourceKey = 'properties'
    issues.push(issue('PS5009', 'nested parameter properties are "objectProperties", not "properties"', [...at, 'properties'], true, 'rename properties to objectProperties', [{ op: 'rename', path: toPointer([...at, 'properties']), to: 'objectProperties' }]))
  }
  const nested = param.objectProperties
  if (isObj(nested)) for (const [name, child] of Object.entries(nested)) normalizeParameter(child, [...at, sourceKey, name], issues)
}

function fixDuration(holder: Obj, at: (string | number)[], field: string, issues: LegacyIssue[]): void {
  const text = holder[field]
  // Only a day or week unit has a suggestion: a text without "d" or "w" cannot have one.
  if (typeof text !== 'string' || !(text.includes('d') || text.includes('w'))) return
  const parsed = parseDuration(text)
  if (parsed.ok || !parsed.suggestion) return
  holder[field] = parsed.suggestion
  const unit = parsed.reason === 'week-unit' ? 'week' : 'day'
  issues.push(issue('PS5006', `"${text}" uses a ${unit} unit, which durations do not have; write "${parsed.suggestion}"`, [...at, field], false, `change ${text} to ${parsed.suggestion}`, [{ op: 'set', path: toPointer([...at, field]), value: parsed.suggestion }]))
}

/** Renames node ids with "_" to DNS labels, with every reference inside the Plan (DECISIONS §8). */
function renameUnderscoreIds(graph: Obj, nodes: unknown[], issues: LegacyIssue[]): void {
  // Nearly every plan has no such id: nothing else to look at then.
  if (!nodes.some((node) => isObj(node) && typeof node.id === 'string' && node.id.includes('_'))) return
  const renames = new Map<string, string>()
  const taken = new Set(nodes.filter(isObj).map((n) => n.id).filter((id): id is string => typeof id === 'string'))
  for (const node of nodes) {
    if (!isObj(node) || typeof node.id !== 'string' || !node.id.includes('_')) continue
    const candidate = node.id.replace(/_/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '')
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(candidate) || candidate.length > 63 || taken.has(candidate)) continue
    renames.set(node.id, candidate)
    taken.add(candidate)
  }
  if (!renames.size) return
  const edits: { op: 'set'; path: string; value: string }[] = []
  const rename = (holder: Obj | unknown[], key: string | number, at: (string | number)[]): void => {
    const current = (holder as Record<string | number, unknown>)[key]
    if (typeof current === 'string' && renames.has(current)) {
      const next = renames.get(current)!
      ;(holder as Record<string | number, unknown>)[key] = next
      edits.push({ op: 'set', path: toPointer(at), value: next })
    }
  }
  nodes.forEach((node, i) => {
    if (!isObj(node)) return
    const at = ['spec', 'graph', 'nodes', i]
    for (const list of ['dependsOn', 'children']) {
      const items = node[list]
      if (Array.isArray(items)) items.forEach((_, j) => rename(items, j, [...at, list, j]))
    }
  })
  if (Array.isArray(graph.edges)) {
    graph.edges.forEach((edge, i) => {
      if (!isObj(edge)) return
      rename(edge, 'from', ['spec', 'graph', 'edges', i, 'from'])
      rename(edge, 'to', ['spec', 'graph', 'edges', i, 'to'])
    })
  }
  const referenceEdits = [...edits]
  nodes.forEach((node, i) => {
    if (!isObj(node) || typeof node.id !== 'string' || !renames.has(node.id)) return
    const from = node.id
    const to = renames.get(from)!
    const at = ['spec', 'graph', 'nodes', i, 'id']
    node.id = to
    issues.push(issue('PS5007', `node id "${from}" has "_"; node ids are DNS labels, so it becomes "${to}"`, at, false, `rename node ${from} to ${to} and every reference to it`, [{ op: 'set', path: toPointer(at), value: to }, ...referenceEdits.filter((e) => e.value === to)]))
  })
}

function issue(code: Code, message: string, at: (string | number)[], key: boolean, description: string, edits: DiagnosticFix['edits']): LegacyIssue {
  return { code, message, path: toPointer(at), key, fix: { description, edits } }
}
