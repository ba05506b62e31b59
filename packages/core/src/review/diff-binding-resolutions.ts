import { resolveCapabilityUse, type BindingLike, type BindingRuleLike, type BindingSelectorLike } from '../binding-resolution.js'
import type { LabelsLike } from '../label-selector.js'
import { resolveReference } from '../reference.js'
import { subjectOf } from '../object-key.js'
import { deepEqual } from './internal/changed-fields.js'
import { findResource, indexResources, type ResourceIndex } from './internal/index-resources.js'
import { asArray, asObject, asString, specOf, type Obj } from './internal/read-value.js'
import { planOfExecution } from './internal/plan-of-execution.js'
import type { BindingResolutionChange, ProviderResolution, ReviewResourceLike } from './review-types.js'

/** One capability use of an Execution and how it resolves. */
interface ResolvedUse {
  readonly execution: string
  readonly plan: string
  readonly nodeId: string
  readonly capability?: string
  readonly resolution: ProviderResolution
  /** `target.config` of the matching rule (bound uses only). */
  readonly config?: unknown
}

// A selector with a malformed key never matches: an empty selector is invalid (RESOURCES 4.2).
const NEVER: BindingRuleLike = { selector: {}, target: { provider: '' } }

/**
 * Lists the capability uses of head Executions whose provider is new or resolves differently
 * than in base (DECISIONS §4). A use is (Execution, Task node, capability): the node's Binding is
 * its `nodeBindings` entry, else the Execution's `bindingRef`, and each capability of the Task's
 * `capabilityRefs` resolves through `resolveCapabilityUse`; a Task without capabilityRefs is one
 * use without a capability. A use counts as `changed` when its outcome, provider, unbound reason or
 * conflicting rules differ, or when the provider is the same but the rule's `target.config`
 * differs (`configChanged`). Uses that exist in base only are not listed: their nodes or
 * Executions are gone, which the plan and resource diffs already say. Results follow the head
 * resources' order, then node and capability order. Malformed resources resolve as unbound or not
 * at all; nothing throws. Pure.
 *
 * @example
 * ```ts
 * diffBindingResolutions(base, head)
 * // [{ execution: 'execution/default/release-1', plan: 'plan/default/release', nodeId: 'build', capability: 'default/ci', action: 'changed',
 * //    before: { outcome: 'bound', provider: 'exec://make', … }, after: { outcome: 'bound', provider: 'agent://builder', … }, configChanged: false }]
 * ```
 */
export function diffBindingResolutions(base: readonly ReviewResourceLike[], head: readonly ReviewResourceLike[]): BindingResolutionChange[] {
  const before = new Map<string, ResolvedUse>()
  for (const use of resolveUses(base)) before.set(useKey(use), use)
  const changes: BindingResolutionChange[] = []
  for (const use of resolveUses(head)) {
    const old = before.get(useKey(use))
    const common = { execution: use.execution, plan: use.plan, nodeId: use.nodeId, ...(use.capability === undefined ? {} : { capability: use.capability }) }
    if (old === undefined) {
      changes.push({ ...common, action: 'added', after: use.resolution, configChanged: false })
      continue
    }
    const sameTarget = deepEqual(signature(old.resolution), signature(use.resolution))
    const configChanged = sameTarget && use.resolution.outcome === 'bound' && !deepEqual(old.config, use.config)
    if (!sameTarget || configChanged) changes.push({ ...common, action: 'changed', before: old.resolution, after: use.resolution, configChanged })
  }
  return changes
}

/** The identity of a use across base and head. */
function useKey(use: ResolvedUse): string {
  return JSON.stringify([use.execution, use.nodeId, use.capability ?? null])
}

/** What makes two resolutions the same target: outcome, then provider, reason or tied rules. */
function signature(resolution: ProviderResolution): unknown[] {
  switch (resolution.outcome) {
    case 'bound':
      return ['bound', resolution.provider]
    case 'unbound':
      return ['unbound', resolution.reason]
    case 'conflict':
      return ['conflict', ...resolution.ruleIndexes]
  }
}

/** Resolves every capability use of every Execution of one side. */
function resolveUses(resources: readonly ReviewResourceLike[]): ResolvedUse[] {
  const index = indexResources(resources)
  const uses: ResolvedUse[] = []
  for (const execution of index.values()) {
    if (execution.kind !== 'Execution') continue
    const plan = planOfExecution(execution, index)
    if (plan === undefined) continue
    const spec = specOf(execution.value)
    const seen = new Set<string>()
    for (const item of asArray(asObject(specOf(plan.value).graph)?.nodes)) {
      const node = asObject(item)
      const nodeId = asString(node?.id)
      if (node === undefined || nodeId === undefined || node.kind !== 'Task' || seen.has(nodeId)) continue
      seen.add(nodeId)
      const bindingRef = asObject(asObject(spec.nodeBindings)?.[nodeId]) ?? asObject(spec.bindingRef)
      for (const capability of capabilitiesOf(node, plan.namespace)) {
        const { resolution, config } = resolveUse(index, execution.namespace, bindingRef, plan, nodeId, capability)
        uses.push({
          execution: subjectOf('Execution', execution.namespace, execution.name),
          plan: subjectOf('Plan', plan.namespace, plan.name),
          nodeId,
          ...(capability === undefined ? {} : { capability: `${capability.namespace}/${capability.name}` }),
          resolution,
          config,
        })
      }
    }
  }
  return uses
}

/** The capabilities a Task uses, namespaces resolved against the Plan; `[undefined]` when it lists none. */
function capabilitiesOf(node: Obj, planNamespace: string): ({ name: string; namespace: string } | undefined)[] {
  const refs = asArray(node.capabilityRefs).flatMap((item) => {
    const ref = asObject(item)
    const name = asString(ref?.name)
    return name === undefined ? [] : [resolveReference({ name, namespace: asString(ref?.namespace) }, planNamespace)]
  })
  return refs.length > 0 ? refs : [undefined]
}

/** Resolves one use against the Binding the Execution names for the node. */
function resolveUse(
  index: ResourceIndex,
  executionNamespace: string,
  bindingRef: Obj | undefined,
  plan: ReviewResourceLike,
  nodeId: string,
  capability: { name: string; namespace: string } | undefined,
): { resolution: ProviderResolution; config?: unknown } {
  const bindingName = asString(bindingRef?.name)
  if (bindingName === undefined) return { resolution: { outcome: 'unbound', reason: 'NoBinding' } }
  const target = resolveReference({ name: bindingName, namespace: asString(bindingRef?.namespace) }, executionNamespace)
  const binding = subjectOf('Binding', target.namespace, target.name)
  const resource = findResource(index, 'Binding', target.namespace, target.name)
  if (resource === undefined) return { resolution: { outcome: 'unbound', reason: 'NoBinding', binding } }
  const result = resolveCapabilityUse({
    binding: bindingOf(resource.value),
    bindingNamespace: resource.namespace,
    plan: { name: plan.name, namespace: plan.namespace, labels: asObject(asObject(plan.value.metadata)?.labels) as LabelsLike | undefined },
    nodeId,
    capability: capability ?? { name: '', namespace: plan.namespace },
  })
  if (result.outcome === 'bound') return { resolution: { outcome: 'bound', provider: result.target.provider, binding, ruleIndex: result.ruleIndex }, config: result.target.config }
  if (result.outcome === 'conflict') return { resolution: { outcome: 'conflict', binding, ruleIndexes: result.ruleIndexes } }
  return { resolution: { outcome: 'unbound', reason: 'NoMatchingRule', binding } }
}

/** Reads a Binding defensively: a malformed rule keeps its index but never matches. */
function bindingOf(value: Obj): BindingLike {
  const spec = specOf(value)
  const rules = asArray(spec.rules).map((item): BindingRuleLike => {
    const rule = asObject(item)
    const selector = selectorOf(rule?.selector)
    const target = asObject(rule?.target)
    const provider = asString(target?.provider)
    if (selector === undefined || provider === undefined) return NEVER
    const config = asObject(target?.config)
    return { priority: rule?.priority as number | undefined, selector, target: config === undefined ? { provider } : { provider, config } }
  })
  return { spec: { strategy: asString(spec.strategy), rules } }
}

/** Returns the selector when every key it has is well-formed, else undefined. */
function selectorOf(value: unknown): BindingSelectorLike | undefined {
  const selector = asObject(value)
  if (selector === undefined) return undefined
  const reference = (ref: unknown): boolean => ref === undefined || asString(asObject(ref)?.name) !== undefined
  const wellFormed =
    reference(selector.planRef) &&
    reference(selector.capabilityRef) &&
    (selector.nodeId === undefined || typeof selector.nodeId === 'string') &&
    (selector.matchLabels === undefined || asObject(selector.matchLabels) !== undefined)
  return wellFormed ? (selector as BindingSelectorLike) : undefined
}
