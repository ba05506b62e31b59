import { referenceKey, subjectOf } from '../reference.js'
import { diffBindingResolutions } from './diff-binding-resolutions.js'
import { diffGate } from './diff-gate.js'
import { diffPlan } from './diff-plan.js'
import { findTouchedExecutions } from './find-touched-executions.js'
import { changedFields } from './internal/changed-fields.js'
import { indexResources } from './internal/index-resources.js'
import { followRenames, pairRenames } from './pair-renames.js'
import type { GateDiff, ResourceChange, ReviewResourceLike, SemanticDiff } from './review-types.js'

/** Kinds in the order a reviewer reads them: the "what", the "how", then who runs and approves it. */
const KIND_ORDER: readonly string[] = ['Goal', 'Plan', 'Capability', 'Binding', 'Gate', 'Execution']

/** Written by controllers or the server, never by the author of a change (DECISIONS §8 "Status ownership"). */
const NOT_AUTHORED: ReadonlySet<string> = new Set([
  'status',
  'metadata.uid',
  'metadata.resourceVersion',
  'metadata.generation',
  'metadata.creationTimestamp',
  'metadata.deletionTimestamp',
  'metadata.deletionGracePeriodSeconds',
  'metadata.managedFields',
])

/**
 * Computes the semantic diff between the resources of a change's base and head (the PR review
 * of DECISIONS §1.2), rather than a YAML diff:
 * - `resources`: every resource added, removed, changed or renamed, matched by kind, namespace and
 *   name, with the fields that differ (two levels deep; status and server-set metadata ignored);
 *   `counts` per kind. A removed and an added resource of one kind and namespace whose content is
 *   the same but for the name are one `renamed` change (`previousName`); a resource whose only
 *   change is to follow a rename (an Execution's `planRef`) is no change, and is listed in the
 *   rename's `referencedBy`. A renamed Plan or Gate has no graph or approver diff, and touches
 *   no Execution. Order: Goal, Plan, Capability, Binding, Gate, Execution, then other kinds
 *   alphabetically; within a kind by namespace, then name.
 * - `plans`: the graph diff of each added, removed or changed Plan ({@link diffPlan}).
 * - `gates`: Gates whose reviewers or required approvals differ ({@link diffGate}).
 * - `bindings`: capability uses whose provider is new or different ({@link diffBindingResolutions}).
 * - `executions`: head Executions the change touches ({@link findTouchedExecutions}).
 *
 * Takes resources as the validator returns them, valid or not: malformed shapes are read
 * defensively and never throw. A resource listed twice on one side counts once (the first).
 * Deterministic and pure; diffing a set against itself gives empty lists.
 *
 * @example
 * ```ts
 * const diff = diffResources(baseResult.resources, headResult.resources)
 * diff.counts // [{ kind: 'Plan', added: 0, removed: 0, changed: 1 }]
 * ```
 */
export function diffResources(base: readonly ReviewResourceLike[], head: readonly ReviewResourceLike[]): SemanticDiff {
  const before = indexResources(base)
  const after = indexResources(head)
  const renames = pairRenames(before, after, NOT_AUTHORED)
  const renamedBase = new Set(renames.map((r) => r.baseKey))
  const renamedHead = new Set(renames.map((r) => r.headKey))
  const followers = new Map(renames.map((r) => [r.headKey, [] as string[]]))
  const resources: ResourceChange[] = []
  for (const [key, resource] of after) {
    if (renamedHead.has(key)) continue
    const old = before.get(key)
    const fields = old === undefined ? [] : changedFields(followRenames(old, renames), resource.value, 2, NOT_AUTHORED)
    if (old === undefined || fields.length > 0) resources.push(describe(resource, old === undefined ? 'added' : 'changed', fields))
    else if (changedFields(old.value, resource.value, 2, NOT_AUTHORED).length > 0) {
      for (const r of renames) if (changedFields(followRenames(old, [r]), resource.value, 2, NOT_AUTHORED).length === 0) (followers.get(r.headKey) as string[]).push(subjectOf(resource.kind, resource.namespace, resource.name))
    }
  }
  for (const [key, resource] of before) {
    if (!after.has(key) && !renamedBase.has(key)) resources.push(describe(resource, 'removed', []))
  }
  for (const r of renames) {
    const resource = after.get(r.headKey) as ReviewResourceLike
    resources.push({ ...describe(resource, 'renamed', ['metadata.name']), previousName: r.from, referencedBy: followers.get(r.headKey) as string[] })
  }
  resources.sort(compareChanges)

  const counts: { kind: string; added: number; removed: number; changed: number; renamed: number }[] = []
  for (const change of resources) {
    let count = counts[counts.length - 1]
    if (count?.kind !== change.kind) counts.push((count = { kind: change.kind, added: 0, removed: 0, changed: 0, renamed: 0 }))
    count[change.action] += 1
  }

  const pair = (change: ResourceChange): [ReviewResourceLike | undefined, ReviewResourceLike | undefined] => {
    const key = referenceKey(change.kind, change.namespace, change.name)
    return [before.get(key), after.get(key)]
  }
  const plans = resources.filter((c) => c.kind === 'Plan' && c.action !== 'renamed').map((c) => diffPlan(...pair(c)))
  const gates = resources.filter((c) => c.kind === 'Gate' && c.action !== 'renamed').flatMap((c): GateDiff[] => {
    const gate = diffGate(...pair(c))
    return gate === undefined ? [] : [gate]
  })
  const touching = resources.filter((c) => c.action !== 'renamed')
  return { resources, counts, plans, bindings: diffBindingResolutions(base, head), gates, executions: findTouchedExecutions(head, touching) }
}

/** Builds a ResourceChange. */
function describe(resource: ReviewResourceLike, action: ResourceChange['action'], fields: readonly string[]): ResourceChange {
  const { kind, namespace, name, file } = resource
  return { subject: subjectOf(kind, namespace, name), kind, namespace, name, action, fields, ...(file === undefined ? {} : { file }) }
}

/** Orders changes by kind order, then namespace, then name. */
function compareChanges(a: ResourceChange, b: ResourceChange): number {
  return kindRank(a.kind) - kindRank(b.kind) || compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name)
}

/** The position of a kind in {@link KIND_ORDER}; other kinds come after, alphabetically. */
function kindRank(kind: string): number {
  const rank = KIND_ORDER.indexOf(kind)
  return rank < 0 ? KIND_ORDER.length : rank
}

/** Compares strings by UTF-16 code units, independent of locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
