import { createHash } from 'node:crypto'
import { canonicalJson, normalizeGraph, resolveCapabilityUse, resolveReference, runDigestContent, type BindingLike, type NodeBinding, type PlanGraphLike, type RetryPolicy } from '@planspec/core'
import type { AcceptanceCriterion } from '../acceptance-criterion.js'
import type { ExternalRefLike } from './observe-external.js'
import type { ExecutionRunInput } from './run-execution.js'

/** A resource as the validator returns it: identity and the plain object. */
export interface ResourceLike {
  readonly kind: string
  readonly name: string
  readonly namespace: string
  readonly value: Record<string, unknown>
}

/** What `prepareRun` found: the run input, the Gate each Gate node waits on, and what stops it. */
export interface PreparedRun {
  readonly input: ExecutionRunInput
  /** Gate node id → the Gate resource it references. */
  readonly gates: ReadonlyMap<string, { readonly name: string; readonly namespace: string }>
  /** External node id → what it waits on. */
  readonly externals: ReadonlyMap<string, ExternalRefLike>
  readonly planName: string
  /** The Execution's namespace: the default for references made without one. */
  readonly namespace: string
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** DECISIONS §3: base 10 s, factor 2, cap 10 min. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 10_000, factor: 2, capMs: 600_000 }

/**
 * Prepares the run of one Execution from a validated set of resources: its Plan (same
 * namespace), the Goal's constraints, a provider for every Task resolved through the Execution's
 * `nodeBindings` and `bindingRef` (DECISIONS §4: a Task goes to the target of its first
 * capabilityRef; the others must resolve too), and the spec hash that pins the run. Bindings the
 * Execution names that do not exist are listed in `input.missingBindings`: the run waits for them
 * (`Blocked`, `BindingNotFound`) in every mode instead of failing its nodes. Throws a
 * plain Error naming what is missing when the Execution or its Plan is not in the set.
 *
 * @example
 * const { input, gates } = prepareRun(result.resources, { name: 'release-1', namespace: 'default' })
 */
export function prepareRun(resources: readonly ResourceLike[], execution: { readonly name: string; readonly namespace?: string }, retryPolicy: RetryPolicy = DEFAULT_RETRY_POLICY): PreparedRun {
  const find = (kind: string, name: string, namespace: string): ResourceLike | undefined => resources.find((r) => r.kind === kind && r.name === name && r.namespace === namespace)
  const candidates = resources.filter((r) => r.kind === 'Execution' && r.name === execution.name && (!execution.namespace || r.namespace === execution.namespace))
  if (candidates.length === 0) throw new Error(`no Execution named "${execution.name}"${execution.namespace ? ` in namespace "${execution.namespace}"` : ''}`)
  if (candidates.length > 1) throw new Error(`Execution "${execution.name}" exists in several namespaces (${candidates.map((c) => c.namespace).join(', ')}); choose one with --namespace`)
  const exec = candidates[0]!
  const spec = exec.value.spec as Obj
  const planRef = resolveReference(spec.planRef as { name: string }, exec.namespace)
  const plan = find('Plan', planRef.name, exec.namespace)
  if (!plan) throw new Error(`Plan "${exec.namespace}/${planRef.name}" of Execution "${exec.name}" is not in the files`)
  const planSpec = plan.value.spec as Obj
  const graphSpec = planSpec.graph as PlanGraphLike
  const graph = normalizeGraph(graphSpec)
  const goalRef = isObj(spec.goalRef) ? spec.goalRef : isObj(planSpec.goalRef) ? planSpec.goalRef : undefined
  const goal = goalRef ? find('Goal', String(goalRef.name), resolveReference(goalRef as { name: string }, exec.namespace).namespace) : undefined
  const labels = ((plan.value.metadata as Obj).labels ?? {}) as Record<string, string>
  /** The Binding of a node, or why there is none: no reference, or a reference to a Binding that does not exist. */
  const bindingFor = (nodeId: string): ResourceLike | NodeBinding => {
    const override = isObj(spec.nodeBindings) ? spec.nodeBindings[nodeId] : undefined
    const field = isObj(override) ? `spec.nodeBindings.${nodeId}` : 'spec.bindingRef'
    const ref = (isObj(override) ? override : spec.bindingRef) as { name: string; namespace?: string } | undefined
    if (!ref) return { outcome: 'unbound', reason: 'NoBinding', message: `node "${nodeId}" has no Binding: the Execution names no bindingRef or nodeBindings entry for it` }
    const target = resolveReference(ref, exec.namespace)
    const found = find('Binding', target.name, target.namespace)
    if (found !== undefined) return found
    missingBindings.add(`Binding "${target.namespace}/${target.name}" (${field})`)
    return { outcome: 'unbound', reason: 'BindingNotFound', message: `node "${nodeId}" has no Binding: Binding "${target.namespace}/${target.name}" (${field}) does not exist` }
  }
  const missingBindings = new Set<string>()
  const bindings = new Map<string, NodeBinding>()
  const declaredOutputs = new Map<string, readonly string[]>()
  const acceptanceCriteria = new Map<string, readonly AcceptanceCriterion[]>()
  const gates = new Map<string, { name: string; namespace: string }>()
  const externals = new Map<string, ExternalRefLike>()
  for (const node of graphSpec.nodes as unknown as readonly Obj[]) {
    const id = String(node.id)
    if (node.kind === 'Gate' && isObj(node.gateRef)) gates.set(id, resolveReference(node.gateRef as { name: string }, plan.namespace))
    if (node.kind === 'External' && isObj(node.externalRef)) externals.set(id, node.externalRef as unknown as ExternalRefLike)
    if (node.kind !== 'Task') continue
    declaredOutputs.set(id, Array.isArray(node.outputs) ? (node.outputs as string[]) : [])
    if (Array.isArray(node.acceptanceCriteria) && node.acceptanceCriteria.length) acceptanceCriteria.set(id, node.acceptanceCriteria as AcceptanceCriterion[])
    const binding = bindingFor(id)
    const refs = Array.isArray(node.capabilityRefs) && node.capabilityRefs.length ? (node.capabilityRefs as { name: string; namespace?: string }[]) : [{ name: '' }]
    if ('outcome' in binding) {
      bindings.set(id, binding)
      continue
    }
    let resolved: NodeBinding | undefined
    for (const ref of refs) {
      const capability = ref.name ? resolveReference(ref, plan.namespace) : { name: '', namespace: plan.namespace }
      const result = resolveCapabilityUse({ binding: binding.value as unknown as BindingLike, bindingNamespace: binding.namespace, plan: { name: plan.name, namespace: plan.namespace, labels }, nodeId: id, capability })
      const what = capability.name ? `capability "${capability.name}"` : 'the node'
      if (result.outcome === 'conflict') {
        resolved = { outcome: 'conflict', reason: 'Conflict', message: `binding "${binding.name}" has tied rules ${result.ruleIndexes.join(', ')} for ${what} of node "${id}"` }
        break
      }
      if (result.outcome === 'unbound') {
        resolved = { outcome: 'unbound', reason: 'NoMatchingRule', message: `no rule of binding "${binding.name}" matches ${what} of node "${id}"` }
        break
      }
      // The first capability decides the target; the others only have to resolve.
      resolved ??= { outcome: 'bound', provider: result.target.provider, config: result.target.config as Record<string, unknown> | undefined, claimable: isClaimable(result.target.provider, result.target.config) }
    }
    bindings.set(id, resolved!)
  }
  // The stored uid (git mode: kind, name and introducing commit; server: generated) tells a re-created
  // Execution from the old one; files read by `planspec run` have none.
  const storedUid = (exec.value.metadata as Obj | undefined)?.uid
  const uid = typeof storedUid === 'string' && storedUid !== '' ? storedUid : `${exec.namespace}.${exec.name}.${sha256(`${exec.namespace}/${exec.name}`).slice(0, 8)}`
  const { generation, creationTimestamp } = (exec.value.metadata ?? {}) as Obj
  return {
    input: {
      uid,
      graph,
      specHash: `sha256:${sha256(canonicalJson(spec))}`,
      // The digest of G10, computed here (the shell) like specHash: sha256 of the canonical JSON.
      graphDigest: `sha256:${sha256(canonicalJson(graphSpec))}`,
      runDigest: `sha256:${sha256(runDigestContent(graphSpec, bindings))}`,
      planGeneration: Number((plan.value.metadata as Obj).generation ?? 1),
      parameters: isObj(spec.parameters) ? spec.parameters : {},
      goalConstraints: goal && isObj((goal.value.spec as Obj).constraints) ? ((goal.value.spec as Obj).constraints as Obj) : undefined,
      bindings,
      declaredOutputs,
      acceptanceCriteria,
      retryPolicy,
      ...(missingBindings.size === 0 ? {} : { missingBindings: [...missingBindings] }),
      generation: typeof generation === 'number' ? generation : 1,
      ...(typeof creationTimestamp === 'string' ? { creationTimestamp } : {}),
    },
    gates,
    externals,
    planName: plan.name,
    namespace: exec.namespace,
  }
}

/** Claimable work: `human://`, and `agent://` without a local command (DECISIONS §4). */
function isClaimable(provider: string, config: unknown): boolean {
  if (provider.startsWith('human://')) return true
  return provider.startsWith('agent://') && !(isObj(config) && Array.isArray(config.command))
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
