import type { BindingUse } from '../reconcile-binding.js'
import type { LabelsLike } from '../../label-selector.js'
import { resolveReference, type ObjectReferenceLike } from '../../reference.js'
import { subjectOf } from '../../object-key.js'
import { compareResources, metadataOf, specOf, type IndexedResource, type ResourceIndex } from '../resource-index.js'

type Obj = Readonly<Record<string, unknown>>
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})
const asRef = (value: unknown): ObjectReferenceLike | undefined => (typeof asObj(value).name === 'string' ? (value as ObjectReferenceLike) : undefined)

/**
 * Finds the capability uses a Binding must serve: every capability reference of every Task node
 * of the Plans it serves, with the reference's `optional` flag. It serves the Plans its rules name
 * (`selector.planRef`, any namespace) or match (`selector.matchLabels`, its own namespace), and
 * the Plans of the Executions (any namespace) that name it in `bindingRef` or `nodeBindings`.
 * Plans are taken in namespace/name order, nodes and references as written.
 */
export function bindingUses(index: ResourceIndex, binding: IndexedResource): BindingUse[] {
  const plans = new Map<string, IndexedResource>()
  const add = (plan: IndexedResource | undefined): void => {
    if (plan !== undefined) plans.set(subjectOf('Plan', plan.namespace, plan.name), plan)
  }
  const rules = specOf(binding).rules
  for (const rule of Array.isArray(rules) ? rules : []) {
    const selector = asObj(asObj(rule).selector)
    const planRef = asRef(selector.planRef)
    if (planRef !== undefined) {
      const ref = resolveReference(planRef, binding.namespace)
      add(index.get('Plan', ref.namespace, ref.name))
    }
    if (selector.matchLabels !== undefined) for (const plan of index.labelled('Plan', binding.namespace, asObj(selector.matchLabels) as LabelsLike)) add(plan)
  }
  const target = { namespace: binding.namespace, name: binding.name }
  for (const execution of [...index.referrers('Execution', 'bindingRef', target), ...index.referrers('Execution', 'nodeBindings', target)]) {
    const planRef = asRef(specOf(execution).planRef)
    if (planRef === undefined) continue
    const ref = resolveReference(planRef, execution.namespace)
    add(index.get('Plan', ref.namespace, ref.name))
  }
  return [...plans.values()].sort(compareResources).flatMap((plan) => planUses(plan))
}

/** The capability uses of one Plan's Task nodes. */
function planUses(plan: IndexedResource): BindingUse[] {
  const labels = metadataOf(plan).labels as LabelsLike | undefined
  const nodes = asObj(specOf(plan).graph).nodes
  const uses: BindingUse[] = []
  for (const node of Array.isArray(nodes) ? (nodes as Obj[]) : []) {
    if (node.kind !== 'Task') continue
    const refs = Array.isArray(node.capabilityRefs) ? (node.capabilityRefs as unknown[]) : []
    for (const value of refs) {
      const ref = asRef(value)
      if (ref === undefined) continue
      uses.push({
        plan: { name: plan.name, namespace: plan.namespace, ...(labels === undefined ? {} : { labels }) },
        nodeId: String(node.id),
        capability: resolveReference(ref, plan.namespace),
        ...(asObj(value).optional === true ? { optional: true } : {}),
      })
    }
  }
  return uses
}
