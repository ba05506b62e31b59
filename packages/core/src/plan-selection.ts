import { matchesLabelSelector, type LabelSelectorLike, type LabelsLike } from './label-selector.js'
import { namespaceOf, resolveReference, type ObjectReferenceLike } from './reference.js'
import { compareVersions } from './version.js'

/** The fields of a Plan resource that plan selection reads. */
export interface PlanLike {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: LabelsLike }
  readonly spec: {
    readonly goalRef?: ObjectReferenceLike
    readonly series?: string
    readonly version?: string
    readonly supersedes?: readonly ObjectReferenceLike[]
  }
}

/** The Goal being resolved: its identity (namespace already resolved) and optional `planSelector`. */
export interface GoalSelectionLike {
  readonly name: string
  readonly namespace: string
  readonly planSelector?: LabelSelectorLike
}

/** The outcome of {@link selectPlanForGoal}. */
export interface PlanSelection<P extends PlanLike = PlanLike> {
  /** The active plan (`status.activePlanRef`); absent when `reason` is `NoPlanFound`. */
  readonly selected?: P
  /** Plans whose `goalRef` resolves to the goal and that pass `planSelector`, in input order. */
  readonly candidates: P[]
  /** The `PlanResolved` condition reason: True with `PlanFound`, False with `NoPlanFound`. */
  readonly reason: 'PlanFound' | 'NoPlanFound'
}

/**
 * Selects the active Plan for a Goal (RESOURCES 1.5, 10.8):
 * 1. Candidates: plans whose `spec.goalRef` names the goal, its namespace defaulting to the plan's
 *    own (a plan's namespace is `metadata.namespace`, else `defaultNamespace`, else `default`).
 * 2. With a `planSelector`, only candidates whose labels satisfy it (matchLabels and
 *    matchExpressions).
 * 3. Per `spec.series`, only the highest `spec.version` ({@link compareVersions}) is kept. A plan
 *    without a series is a group of its own: series-less plans carry no version to rank them by.
 * 4. Every plan named in the `supersedes` of another candidate of step 2 is dropped (the reference
 *    namespace defaults to the superseding plan's). Using the step-2 set means a plan stays
 *    superseded even when its successor lost to a later version of its own series.
 * 5. Among the survivors the highest version wins; a plan without a version ranks below any plan
 *    with one. Ties (same version, or no versions) go to the smallest namespace, then the smallest
 *    name, by code units: deterministic and independent of input order.
 *
 * `NoPlanFound` when nothing survives, including when candidates supersede each other in a loop.
 *
 * @example
 * ```ts
 * selectPlanForGoal({ name: 'billing-export', namespace: 'finance' }, plans)
 * // { selected: <billing-export-v3>, candidates: [<v2>, <v3>], reason: 'PlanFound' }
 * ```
 */
export function selectPlanForGoal<P extends PlanLike>(
  goal: GoalSelectionLike,
  plans: readonly P[],
  defaultNamespace?: string,
): PlanSelection<P> {
  const namespace = (plan: PlanLike): string => namespaceOf(plan.metadata, defaultNamespace)
  const candidates = plans.filter((plan) => {
    const goalRef = plan.spec.goalRef
    if (goalRef === undefined) return false
    const target = resolveReference(goalRef, namespace(plan))
    return target.name === goal.name && target.namespace === goal.namespace
  })
  const selectable = candidates.filter((plan) => matchesLabelSelector(goal.planSelector, plan.metadata.labels))

  const bestBySeries = new Map<string, P>()
  const seriesless: P[] = []
  for (const plan of selectable) {
    const series = plan.spec.series
    if (series === undefined) {
      seriesless.push(plan)
      continue
    }
    const current = bestBySeries.get(series)
    if (current === undefined || rank(plan, current, namespace) < 0) bestBySeries.set(series, plan)
  }

  const superseded = new Set<string>()
  for (const plan of selectable) {
    for (const ref of plan.spec.supersedes ?? []) {
      const target = resolveReference(ref, namespace(plan))
      if (target.name === plan.metadata.name && target.namespace === namespace(plan)) continue
      superseded.add(JSON.stringify([target.namespace, target.name]))
    }
  }
  const survivors = [...bestBySeries.values(), ...seriesless].filter(
    (plan) => !superseded.has(JSON.stringify([namespace(plan), plan.metadata.name])),
  )

  const selected = survivors.sort((a, b) => rank(a, b, namespace))[0]
  if (selected === undefined) return { candidates: selectable, reason: 'NoPlanFound' }
  return { selected, candidates: selectable, reason: 'PlanFound' }
}

/** Orders plans best first: highest version, versioned before unversioned, then namespace, then name. */
function rank(a: PlanLike, b: PlanLike, namespace: (plan: PlanLike) => string): number {
  const va = a.spec.version
  const vb = b.spec.version
  const byVersion =
    va === undefined || vb === undefined
      ? (va === undefined ? 1 : 0) - (vb === undefined ? 1 : 0)
      : compareVersions(vb, va)
  return byVersion || compareText(namespace(a), namespace(b)) || compareText(a.metadata.name, b.metadata.name)
}

/** Compares strings by UTF-16 code units. */
function compareText(a: string, b: string): number {
  if (a === b) return 0
  return a < b ? -1 : 1
}
