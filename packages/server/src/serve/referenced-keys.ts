import type { ObjectKey, StoredResource } from '@planspec/core'

type Obj = Readonly<Record<string, unknown>>
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

/**
 * Lists the objects (in any namespace) whose status depends on a changed object because it names
 * them: an Execution's Goal and Bindings (`goalRef`, `bindingRef`, `nodeBindings`) and the Gates
 * of its Plan's Gate nodes (read with `readPlan`), a Plan's Goal and the Gates of its Gate nodes.
 * References without a namespace name the object's own. (A Capability names what it requires, not
 * who requires it: the controller loop re-reconciles every Capability instead.)
 */
export function referencedKeys(object: StoredResource, readPlan: (key: ObjectKey) => StoredResource | undefined): ObjectKey[] {
  const namespace = object.metadata.namespace ?? 'default'
  const spec = asObj(object.spec)
  const ref = (kind: string, value: unknown): ObjectKey[] => {
    const r = asObj(value)
    return typeof r.name === 'string' ? [{ kind, namespace: typeof r.namespace === 'string' && r.namespace !== '' ? r.namespace : namespace, name: r.name }] : []
  }
  switch (object.kind) {
    case 'Execution': {
      const plan = ref('Plan', spec.planRef)[0]
      const planObject = plan === undefined ? undefined : readPlan(plan)
      return [...ref('Goal', spec.goalRef), ...ref('Binding', spec.bindingRef), ...Object.values(asObj(spec.nodeBindings)).flatMap((b) => ref('Binding', b)), ...(planObject === undefined ? [] : gatesOf(planObject))]
    }
    case 'Plan':
      return [...ref('Goal', spec.goalRef), ...gatesOf(object)]
    default:
      return []
  }
}

/** The Gates a Plan's Gate nodes name (their `gateRef`, namespace defaulting to the Plan's). */
function gatesOf(plan: StoredResource): ObjectKey[] {
  const namespace = plan.metadata.namespace ?? 'default'
  const nodes = asObj(asObj(plan.spec).graph).nodes
  return (Array.isArray(nodes) ? nodes : []).flatMap((node): ObjectKey[] => {
    const gateRef = asObj(asObj(node).gateRef)
    if (asObj(node).kind !== 'Gate' || typeof gateRef.name !== 'string') return []
    return [{ kind: 'Gate', namespace: typeof gateRef.namespace === 'string' && gateRef.namespace !== '' ? gateRef.namespace : namespace, name: gateRef.name }]
  })
}
