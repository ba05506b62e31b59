import { resolveReference } from '../reference.js'
import { subjectOf } from '../object-key.js'
import { indexResources } from './internal/index-resources.js'
import { planOfExecution, planRefOf } from './internal/plan-of-execution.js'
import { asArray, asObject, asString, specOf, type Obj } from './internal/read-value.js'
import type { ExecutionImpact, ExecutionImpactReason, ResourceChange, ReviewResourceLike } from './review-types.js'

/**
 * Lists the head Executions that a change touches, the ones worth simulating again, with why:
 * `added` or `changed` (the Execution itself), `plan` (the Plan it runs), `binding` (a Binding
 * its `bindingRef` or `nodeBindings` name), `gate` (a Gate that a Gate node of its Plan
 * references) or `goal` (its Goal, from the Execution's `goalRef` else the Plan's). A referenced
 * resource counts when it appears in `changes`, whatever the action, so a removed Binding or Gate
 * is a reason too. References resolve in the Execution's namespace, Gate references in the
 * Plan's. Executions follow head order; an Execution nothing touches is left out. Pure.
 *
 * @example
 * ```ts
 * findTouchedExecutions(head, diff.resources)
 * // [{ subject: 'execution/default/release-1', plan: 'plan/default/release', reasons: ['plan', 'gate'], … }]
 * ```
 */
export function findTouchedExecutions(head: readonly ReviewResourceLike[], changes: readonly ResourceChange[]): ExecutionImpact[] {
  const index = indexResources(head)
  const actions = new Map(changes.map((c) => [subjectOf(c.kind, c.namespace, c.name), c.action]))
  const touched = (kind: string, ref: { name: string; namespace: string }): boolean => actions.has(subjectOf(kind, ref.namespace, ref.name))
  const out: ExecutionImpact[] = []
  for (const execution of index.values()) {
    if (execution.kind !== 'Execution') continue
    const spec = specOf(execution.value)
    const plan = planOfExecution(execution, index)
    const planRef = planRefOf(execution)
    const reasons: ExecutionImpactReason[] = []
    const own = actions.get(subjectOf('Execution', execution.namespace, execution.name))
    if (own === 'added' || own === 'changed') reasons.push(own)
    if (planRef !== undefined && touched('Plan', planRef)) reasons.push('plan')
    const bindingRefs = [spec.bindingRef, ...Object.values(asObject(spec.nodeBindings) ?? {})]
    if (refsOf(bindingRefs, execution.namespace).some((ref) => touched('Binding', ref))) reasons.push('binding')
    const planSpec = specOf(plan?.value ?? {})
    const gateRefs = asArray(asObject(planSpec.graph)?.nodes).map((node) => asObject(node)?.gateRef)
    if (refsOf(gateRefs, plan?.namespace ?? execution.namespace).some((ref) => touched('Gate', ref))) reasons.push('gate')
    if (refsOf([asObject(spec.goalRef) ?? planSpec.goalRef], execution.namespace).some((ref) => touched('Goal', ref))) reasons.push('goal')
    if (reasons.length === 0) continue
    out.push({
      subject: subjectOf('Execution', execution.namespace, execution.name),
      namespace: execution.namespace,
      name: execution.name,
      ...(planRef === undefined ? {} : { plan: subjectOf('Plan', planRef.namespace, planRef.name) }),
      reasons,
    })
  }
  return out
}

/** Reads the well-formed references of a list, namespaces resolved against `namespace`. */
function refsOf(values: readonly unknown[], namespace: string): { name: string; namespace: string }[] {
  return values.flatMap((value) => {
    const ref: Obj | undefined = asObject(value)
    const name = asString(ref?.name)
    return name === undefined ? [] : [resolveReference({ name, namespace: asString(ref?.namespace) }, namespace)]
  })
}
