import { findCycle, normalizeGraph, subjectOf, resolveCapabilityUse, resolveReference, STATUS_KINDS, PROVIDER_SCHEMES, providerScheme } from '@planspec/core'
import { compactPlanNodes } from './compact-resource.js'
import { createBoundedMemo, type BoundedMemo } from './expressions.js'
import type { PathIssue } from './finding.js'
import { toPointer } from './positions.js'
import type { Resource } from './resource.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const KNOWN_SCHEMES = Object.keys(PROVIDER_SCHEMES).join(', ')

/** A reference finding, attached to the resource it was found in. */
export interface ReferenceIssue extends PathIssue {
  readonly resource: Resource
}

/**
 * Checks references across the whole file set (DECISIONS §2): every `*Ref`, `supersedes`,
 * `nodeBindings`, Binding selectors, Gate `targetRef`, External `resource` refs and capability
 * requirements (and their cycles); duplicate resources; series versions; provider schemes;
 * binding conflicts under `ErrorOnConflict`. A reference to something outside the set is a
 * warning (it may live elsewhere), an error when `closed` is set, and no finding at all with
 * `outsideReferences: false` (the caller checks the whole set itself).
 *
 * @example
 * checkReferences(resources, { closed: false }) // [{ code: 'PS4001', path: '/spec/goalRef', … }]
 */
export function checkReferences(resources: readonly Resource[], options: { closed: boolean; outsideReferences?: boolean }): ReferenceIssue[] {
  const issues: ReferenceIssue[] = []
  const index = new Map<string, Resource>()
  for (const resource of resources) {
    const key = subjectOf(resource.kind, resource.namespace, resource.name)
    const first = index.get(key)
    if (first) issues.push({ resource, code: 'PS4002', message: `${resource.kind} "${resource.namespace}/${resource.name}" is also defined in ${first.file}`, path: `${resource.pointer}/metadata/name` })
    else index.set(key, resource)
  }
  const usable = resources.filter((r) => r.schemaValid && index.get(subjectOf(r.kind, r.namespace, r.name)) === r)
  // A plan's nodes are read by the plan's own check and by each Execution, Gate and Binding that
  // names the plan, usually files next to it: the last few plans read are remembered.
  const nodesOf: PlanNodesOf = createBoundedMemo(REMEMBERED_PLANS, (plan: Resource) => ({ nodes: compactPlanNodes(plan.value.spec) ?? [] }))
  const missingSeverity = options.closed ? 'error' : 'warning'
  for (const resource of usable) {
    const spec = resource.value.spec as Obj
    const report = (issue: PathIssue): void => {
      issues.push({ ...issue, resource, path: resource.pointer + issue.path })
    }
    /** Resolves a reference, reporting it when the target is missing or of the wrong kind. */
    const follow = (ref: unknown, expected: string, segments: (string | number)[]): Resource | undefined => {
      if (!isObj(ref) || typeof ref.name !== 'string') return undefined
      if (typeof ref.kind === 'string' && ref.kind !== expected) {
        report({ code: 'PS4010', message: `must reference a ${expected}, not a ${ref.kind}`, path: `${toPointer(segments)}/kind` })
        return undefined
      }
      const target = resolveReference(ref as { name: string; namespace?: string }, resource.namespace)
      const found = index.get(subjectOf(expected, target.namespace, target.name))
      if (!found && options.outsideReferences !== false) report({ code: 'PS4001', severity: missingSeverity, message: `${expected} "${target.namespace}/${target.name}" is not in the validated files`, path: `${toPointer(segments)}/name` })
      return found
    }
    switch (resource.kind) {
      case 'Plan':
        checkPlan(spec, nodesOf.get(resource).nodes, follow)
        break
      case 'Binding':
        checkBinding(spec, nodesOf, follow, report)
        break
      case 'Capability':
        if (Array.isArray(spec.requirements)) {
          spec.requirements.forEach((req, i) => {
            if (!isObj(req)) return
            // A missing optional requirement never blocks (RESOURCES 3.3), so it is no finding.
            if (req.optional === true && !index.has(subjectOf('Capability', (req.namespace as string) ?? resource.namespace, String(req.name)))) return
            follow(req, 'Capability', ['spec', 'requirements', i])
          })
        }
        break
      case 'Execution':
        checkExecution(resource, spec, nodesOf, follow, report)
        break
      case 'Gate': {
        const target = spec.targetRef
        if (isObj(target) && typeof target.kind === 'string' && typeof target.name === 'string' && (STATUS_KINDS as readonly string[]).includes(target.kind)) {
          const found = follow({ name: target.name, namespace: target.namespace }, target.kind, ['spec', 'targetRef'])
          const plan = found?.kind === 'Plan' ? found : found?.kind === 'Execution' ? index.get(subjectOf('Plan', found.namespace, String(((found.value.spec as Obj).planRef as Obj | undefined)?.name))) : undefined
          if (plan && typeof target.nodeId === 'string' && !planNodeIds(nodesOf, plan).has(target.nodeId)) {
            report({ code: 'PS4003', message: `node "${target.nodeId}" is not a node of plan "${plan.name}"`, path: '/spec/targetRef/nodeId' })
          }
        }
        break
      }
    }
  }
  issues.push(...requirementCycles(usable))
  issues.push(...seriesIssues(usable, index))
  return issues
}

type Follow = (ref: unknown, expected: string, segments: (string | number)[]) => Resource | undefined
type Report = (issue: PathIssue) => void

/** The nodes of a plan as its value holds them (any shape), and the set of their ids once asked for. */
interface PlanNodes {
  readonly nodes: readonly unknown[]
  ids?: Set<string>
}
type PlanNodesOf = BoundedMemo<PlanNodes, Resource>

// How many plans' nodes the reference checks keep at once (a few hundred KiB).
const REMEMBERED_PLANS = 256

function checkPlan(spec: Obj, nodes: readonly unknown[], follow: Follow): void {
  follow(spec.goalRef, 'Goal', ['spec', 'goalRef'])
  // One path, rewritten for each reference (`follow` reads it only to report a finding): this
  // runs for every node of every plan.
  const path: (string | number)[] = []
  const at = (i: number, field: string, j?: string | number): (string | number)[] => {
    path.length = 0
    path.push('spec', 'graph', 'nodes', i, field)
    if (j !== undefined) path.push(j)
    return path
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Obj
    if (node.kind === 'Task' && Array.isArray(node.capabilityRefs)) for (let j = 0; j < node.capabilityRefs.length; j++) follow(node.capabilityRefs[j], 'Capability', at(i, 'capabilityRefs', j))
    if (node.kind === 'Gate') follow(node.gateRef, 'Gate', at(i, 'gateRef'))
    if (node.kind === 'External' && isObj(node.externalRef) && node.externalRef.type === 'resource') {
      const ref = node.externalRef.resourceRef
      if (isObj(ref) && typeof ref.kind === 'string') follow(ref, ref.kind, at(i, 'externalRef', 'resourceRef'))
    }
  }
}

function checkBinding(spec: Obj, nodesOf: PlanNodesOf, follow: Follow, report: Report): void {
  const rules = Array.isArray(spec.rules) ? (spec.rules as Obj[]) : []
  rules.forEach((rule, i) => {
    const at = ['spec', 'rules', i]
    const selector = isObj(rule.selector) ? rule.selector : {}
    if (selector.capabilityRef) follow(selector.capabilityRef, 'Capability', [...at, 'selector', 'capabilityRef'])
    const plan = selector.planRef ? follow(selector.planRef, 'Plan', [...at, 'selector', 'planRef']) : undefined
    if (plan && typeof selector.nodeId === 'string' && !planNodeIds(nodesOf, plan).has(selector.nodeId)) {
      report({ code: 'PS4003', message: `node "${selector.nodeId}" is not a node of plan "${plan.name}"`, path: toPointer([...at, 'selector', 'nodeId']) })
    }
    const provider = isObj(rule.target) ? rule.target.provider : undefined
    if (typeof provider === 'string' && providerScheme(provider) === undefined) {
      report({ code: 'PS4009', message: `provider "${provider}" has no known scheme (${KNOWN_SCHEMES}); at run time its nodes fail with UnknownProvider`, path: toPointer([...at, 'target', 'provider']) })
    }
  })
}

function checkExecution(resource: Resource, spec: Obj, nodesOf: PlanNodesOf, follow: Follow, report: Report): void {
  const planRef = spec.planRef
  if (isObj(planRef) && typeof planRef.namespace === 'string' && planRef.namespace !== resource.namespace) {
    report({ code: 'PS4005', message: `an Execution runs a Plan of its own namespace "${resource.namespace}", not "${planRef.namespace}"`, path: '/spec/planRef/namespace' })
  }
  const plan = follow(planRef, 'Plan', ['spec', 'planRef'])
  const nodes = plan ? (nodesOf.get(plan).nodes.filter(isObj) as Obj[]) : []
  follow(spec.goalRef, 'Goal', ['spec', 'goalRef'])
  const binding = follow(spec.bindingRef, 'Binding', ['spec', 'bindingRef'])
  const overrides = new Map<string, Resource | undefined>()
  if (isObj(spec.nodeBindings)) {
    const ids = plan ? planNodeIds(nodesOf, plan) : undefined
    for (const [nodeId, ref] of Object.entries(spec.nodeBindings)) {
      if (ids && !ids.has(nodeId)) report({ code: 'PS4003', message: `node "${nodeId}" is not a node of plan "${plan!.name}"`, path: toPointer(['spec', 'nodeBindings', nodeId]), key: true })
      overrides.set(nodeId, follow(ref, 'Binding', ['spec', 'nodeBindings', nodeId]))
    }
  }
  // Ties under ErrorOnConflict are errors for the uses this Execution will resolve (DECISIONS §4);
  // under any other strategy a tie is no finding, and nothing needs resolving.
  if (!plan || (!errorsOnConflict(binding) && ![...overrides.values()].some(errorsOnConflict))) return
  const planOfUse = { name: plan.name, namespace: plan.namespace, labels: ((plan.value.metadata as Obj).labels as Record<string, string>) ?? {} }
  for (const node of nodes) {
    if (node.kind !== 'Task' || !Array.isArray(node.capabilityRefs)) continue
    const chosen = overrides.has(String(node.id)) ? overrides.get(String(node.id)) : binding
    if (!errorsOnConflict(chosen)) continue
    for (const ref of node.capabilityRefs as Obj[]) {
      const capability = resolveReference(ref as { name: string; namespace?: string }, plan.namespace)
      const resolution = resolveCapabilityUse({
        binding: chosen.value as never,
        bindingNamespace: chosen.namespace,
        plan: planOfUse,
        nodeId: String(node.id),
        capability,
      })
      if (resolution.outcome === 'conflict') {
        report({ code: 'PS4011', message: `binding "${chosen.name}" has tied rules ${resolution.ruleIndexes.join(', ')} for capability "${capability.name}" of node "${String(node.id)}" under ErrorOnConflict`, path: overrides.has(String(node.id)) ? toPointer(['spec', 'nodeBindings', String(node.id)]) : '/spec/bindingRef' })
      }
    }
  }
}

/** Whether a Binding breaks ties with an error (`strategy: ErrorOnConflict`). */
function errorsOnConflict(binding: Resource | undefined): binding is Resource {
  const spec = binding?.value.spec
  return isObj(spec) && spec.strategy === 'ErrorOnConflict'
}

/** The ids of a plan's nodes; the plan may have failed the schema, so any shape is read. */
function planNodeIds(nodesOf: PlanNodesOf, plan: Resource): Set<string> {
  const entry = nodesOf.get(plan)
  entry.ids ??= new Set(entry.nodes.filter(isObj).map((n) => String(n.id)))
  return entry.ids
}

function requirementCycles(resources: readonly Resource[]): ReferenceIssue[] {
  const capabilities = resources.filter((r) => r.kind === 'Capability')
  const byKey = new Map(capabilities.map((c) => [`${c.namespace}/${c.name}`, c]))
  const edges: { from: string; to: string }[] = []
  for (const capability of capabilities) {
    const reqs = (capability.value.spec as Obj).requirements
    if (!Array.isArray(reqs)) continue
    for (const req of reqs as Obj[]) {
      const to = `${(req.namespace as string) ?? capability.namespace}/${String(req.name)}`
      if (byKey.has(to)) edges.push({ from: `${capability.namespace}/${capability.name}`, to })
    }
  }
  const ids = [...byKey.keys()]
  const cycle = findCycle(normalizeGraph({ nodes: ids.map((id) => ({ id, kind: 'Task' })), edges }))
  if (!cycle) return []
  const first = byKey.get(cycle[0]!)!
  const reqs = (first.value.spec as Obj).requirements as Obj[]
  const i = reqs.findIndex((r) => `${(r.namespace as string) ?? first.namespace}/${String(r.name)}` === cycle[1])
  return [{ resource: first, code: 'PS4004', message: `capability requirement cycle: ${cycle.join(' → ')}`, path: `${first.pointer}/spec/requirements/${Math.max(0, i)}` }]
}

function seriesIssues(resources: readonly Resource[], index: ReadonlyMap<string, Resource>): ReferenceIssue[] {
  const issues: ReferenceIssue[] = []
  const versions = new Map<string, Resource>()
  for (const plan of resources.filter((r) => r.kind === 'Plan')) {
    const spec = plan.value.spec as Obj
    if (typeof spec.series === 'string' && typeof spec.version === 'string') {
      const key = `${plan.namespace}/${spec.series}@${spec.version}`
      const first = versions.get(key)
      if (first) issues.push({ resource: plan, code: 'PS4006', message: `version "${spec.version}" of series "${spec.series}" is also plan "${first.name}"`, path: `${plan.pointer}/spec/version` })
      else versions.set(key, plan)
    }
    const superseded = Array.isArray(spec.supersedes) && isObj(spec.supersedes[0]) ? spec.supersedes[0] : undefined
    if (!superseded) continue
    const ref = resolveReference(superseded as { name: string; namespace?: string }, plan.namespace)
    const previous = index.get(subjectOf('Plan', ref.namespace, ref.name))
    if (!previous) continue
    const previousSeries = (previous.value.spec as Obj).series
    if (typeof spec.series === 'string' && typeof previousSeries === 'string' && previousSeries !== spec.series) {
      issues.push({ resource: plan, code: 'PS4007', message: `supersedes "${previous.name}" of series "${previousSeries}", not "${spec.series}"`, path: `${plan.pointer}/spec/supersedes/0` })
    }
    // Follow the chain; coming back to this plan is a cycle.
    const seen = new Set([subjectOf('Plan', plan.namespace, plan.name)])
    let current: Resource | undefined = previous
    const chain = [plan.name]
    while (current) {
      const key = subjectOf('Plan', current.namespace, current.name)
      chain.push(current.name)
      if (seen.has(key)) {
        if (current === plan) issues.push({ resource: plan, code: 'PS4008', message: `supersedes cycle: ${chain.join(' → ')}`, path: `${plan.pointer}/spec/supersedes/0` })
        break
      }
      seen.add(key)
      const next: unknown = (current.value.spec as Obj).supersedes
      const nextRef: { name: string; namespace: string } | undefined = Array.isArray(next) && isObj(next[0]) ? resolveReference(next[0] as { name: string; namespace?: string }, current.namespace) : undefined
      current = nextRef ? index.get(subjectOf('Plan', nextRef.namespace, nextRef.name)) : undefined
    }
  }
  return issues
}
