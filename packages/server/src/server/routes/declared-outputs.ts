import { claimSubjects, normalizeSubject, resolveReference, type RequesterPolicy } from '@planspec/core'
import { prepareRun, type StoredResource } from '@planspec/engine'
import { CLAIM_ANNOTATION_PREFIX } from '../admit-status.js'
import type { StoreTransaction } from '../../store/api-store.js'
import { recordedSource, RUN_SOURCE_KEY } from '../../serve/prepare-stored-run.js'
import { teamsOf } from '../gate-review.js'
import type { TokenRegistry } from '../tokens.js'
import { subjectOf } from '../write-object.js'

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The outputs a node of an Execution's plan declares: from the Plan the run is pinned to (its
 * status's `io.planspec.runSource`), else the Plan in the store now. Empty when neither says.
 */
export function declaredOutputs(tx: StoreTransaction, execution: StoredResource, node: string): string[] {
  const plan = pinnedPlan(execution) ?? currentPlan(tx, execution)
  const nodes = isObj(plan) && isObj(plan.spec) && isObj(plan.spec.graph) && Array.isArray(plan.spec.graph.nodes) ? plan.spec.graph.nodes : []
  const found = nodes.find((candidate): candidate is Obj => isObj(candidate) && candidate.id === node)
  return Array.isArray(found?.outputs) ? found.outputs.filter((name): name is string => typeof name === 'string') : []
}

/** The subject that holds a node's claim (`planspec.io/claim.<node>`), if anyone does. */
export function claimHolder(execution: StoredResource, node: string): string | undefined {
  const value = execution.metadata.annotations?.[`${CLAIM_ANNOTATION_PREFIX}${node}`]
  if (value === undefined) return undefined
  try {
    const record = JSON.parse(value) as unknown
    return isObj(record) && typeof record.by === 'string' ? record.by : undefined
  } catch {
    return undefined
  }
}

function pinnedPlan(execution: StoredResource): Obj | undefined {
  const source = (execution.status as { extensions?: Obj } | undefined)?.extensions?.[RUN_SOURCE_KEY]
  if (!isObj(source) || !Array.isArray(source.resources)) return undefined
  const plan = source.resources.find((r): r is Obj => isObj(r) && r.kind === 'Plan')
  return isObj(plan?.value) ? plan.value : undefined
}

function currentPlan(tx: StoreTransaction, execution: StoredResource): Obj | undefined {
  const planRef = (execution.spec as { planRef?: { name?: string } } | undefined)?.planRef
  if (typeof planRef?.name !== 'string') return undefined
  return tx.get({ kind: 'Plan', namespace: execution.metadata.namespace ?? 'default', name: planRef.name }) as Obj | undefined
}

/**
 * Who may claim and complete a node of an Execution (core's `checkRequester`, as the agent judges
 * request files in git mode): the subjects the node's claimable target names (`agent://NAME` is
 * `svc:NAME`, `human://QUEUE`, or the target's `config.assignees`; from the run's pinned Bindings)
 * and the reviewers of every Gate its plan names (the Gates in the store now), team entries
 * resolved to the token registry's members. A run not prepared yet names no assignee.
 */
export function nodeRequesterPolicy(tx: StoreTransaction, execution: StoredResource, node: string, tokens: TokenRegistry | undefined): RequesterPolicy {
  const namespace = execution.metadata.namespace ?? 'default'
  const plan = pinnedPlan(execution) ?? currentPlan(tx, execution)
  const nodes = isObj(plan) && isObj(plan.spec) && isObj(plan.spec.graph) && Array.isArray(plan.spec.graph.nodes) ? plan.spec.graph.nodes.filter(isObj) : []
  const gateReviewers = nodes.flatMap((candidate) => {
    if (candidate.kind !== 'Gate' || !isObj(candidate.gateRef) || typeof candidate.gateRef.name !== 'string') return []
    const ref = resolveReference(candidate.gateRef as { name: string; namespace?: string }, namespace)
    const reviewers = (tx.get({ kind: 'Gate', ...ref })?.spec as { reviewers?: unknown } | undefined)?.reviewers
    return Array.isArray(reviewers) ? reviewers.filter((r): r is string => typeof r === 'string') : []
  })
  let assignees: string[] = []
  const source = recordedSource(execution)
  if (source !== undefined) {
    try {
      const binding = prepareRun(source, { name: execution.metadata.name, namespace }).input.bindings.get(node)
      if (binding?.outcome === 'bound') assignees = claimSubjects(binding.provider, binding.config)
    } catch {
      // A run that cannot be prepared names nobody: only reviewers may take its work.
    }
  }
  const identities = tokens?.identities() ?? []
  const teams = new Map<string, string[]>()
  for (const entry of [...gateReviewers, ...assignees]) {
    const team = normalizeSubject(entry)
    if (team.startsWith('team:')) teams.set(entry, identities.filter((identity) => teamsOf(identity).includes(team)).map(subjectOf))
  }
  return { gateReviewers, assignees, teams }
}
