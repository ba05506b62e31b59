import { gateNodeObservation, PlanSpecError, resolveReference, type GateNodeObservation, type GateNodeSubject, type GateStatus, type ObjectKey, type StoredResource } from '@planspec/core'
import { missingBindingsMessage, prepareRun, type PreparedRun, type ResourceLike } from '@planspec/engine'
import type { ApiStore } from '../store/api-store.js'

/**
 * Status extension holding the resources a run started with (the Execution, its Plan, Bindings and
 * Goal), so that a run resumed later (after a Blocked stop or a restart) keeps the graph and the
 * providers it started with even when the Plan or a Binding changed since (DECISIONS §3, §8).
 */
export const RUN_SOURCE_KEY = 'io.planspec.runSource'

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)
const namespaceOf = (object: StoredResource): string => object.metadata.namespace ?? 'default'

/** Code of {@link BindingNotFoundError}. */
export const BINDING_NOT_FOUND_ERROR_CODE = 'PLANSPEC_ERR_API_BINDING_NOT_FOUND'

/** A Binding the Execution names does not exist (yet): the run waits for it, Blocked. */
export class BindingNotFoundError extends PlanSpecError {
  constructor(message: string) {
    super(message, { code: BINDING_NOT_FOUND_ERROR_CODE })
  }
}

/** The run of one stored Execution, and the resources it was prepared from. */
export interface StoredRun {
  readonly prepared: PreparedRun
  /** The resources the run is pinned to: written into the status under {@link RUN_SOURCE_KEY}. */
  readonly source: readonly ResourceLike[]
}

/**
 * Prepares the run of a stored Execution with the engine's `prepareRun`. A run that already started
 * (its status carries {@link RUN_SOURCE_KEY}) is prepared from the resources recorded then; a new
 * one from the Plan, Bindings and Goal in the store now, which become its pinned source. Throws a
 * plain Error naming what is missing when the Plan does not exist, and a
 * {@link BindingNotFoundError} naming each Binding the Execution names that does not exist.
 *
 * @example
 * const { prepared, source } = await prepareStoredRun(store, execution)
 */
export async function prepareStoredRun(store: ApiStore, execution: StoredResource): Promise<StoredRun> {
  const recorded = recordedSource(execution)
  const source = recorded ?? (await currentSource(store, execution))
  const prepared = prepareRun(source, { name: execution.metadata.name, namespace: namespaceOf(execution) })
  // With its Plan there, a run whose Bindings are missing waits for them instead of failing its nodes
  // (the engine's decision, the same in git mode and `planspec run`).
  if (recorded === undefined && prepared.input.missingBindings?.length) throw new BindingNotFoundError(missingBindingsMessage(prepared.input.missingBindings))
  return { prepared, source }
}

/** The resources a started run is pinned to (its status's {@link RUN_SOURCE_KEY}), or `undefined` before it started. */
export function recordedSource(execution: StoredResource): ResourceLike[] | undefined {
  const extensions = (execution.status as { extensions?: Obj } | undefined)?.extensions
  const value = extensions?.[RUN_SOURCE_KEY]
  if (!isObj(value) || !Array.isArray(value.resources)) return undefined
  const resources = value.resources.filter((r): r is ResourceLike => isObj(r) && typeof r.kind === 'string' && typeof r.name === 'string' && typeof r.namespace === 'string' && isObj(r.value))
  return resources.length === value.resources.length ? resources : undefined
}

/** The Execution and what its run reads: the Plan, the Bindings it names and the Goal (with its constraints). */
async function currentSource(store: ApiStore, execution: StoredResource): Promise<ResourceLike[]> {
  const namespace = namespaceOf(execution)
  const spec = (execution.spec ?? {}) as { planRef?: { name: string; namespace?: string }; goalRef?: { name: string; namespace?: string }; bindingRef?: { name: string; namespace?: string }; nodeBindings?: Obj }
  const resources: ResourceLike[] = [pinned(execution)]
  const add = async (kind: string, ref: { name: string; namespace?: string } | undefined, holder: string): Promise<StoredResource | undefined> => {
    if (ref === undefined || typeof ref.name !== 'string') return undefined
    const key: ObjectKey = { kind, ...resolveReference(ref, holder) }
    if (resources.some((r) => r.kind === key.kind && r.namespace === key.namespace && r.name === key.name)) return undefined
    const found = await store.get(key)
    if (found !== undefined) resources.push(pinned(found))
    return found
  }
  // prepareRun looks the Plan up in the Execution's namespace.
  const plan = await add('Plan', spec.planRef === undefined ? undefined : { name: spec.planRef.name }, namespace)
  // A Binding that is missing is simply not in the source: prepareRun lists it (input.missingBindings).
  for (const ref of [spec.bindingRef, ...Object.values(spec.nodeBindings ?? {})]) if (isObj(ref) && typeof ref.name === 'string') await add('Binding', ref as { name: string; namespace?: string }, namespace)
  const planGoal = (plan?.spec as { goalRef?: { name: string; namespace?: string } } | undefined)?.goalRef
  await add('Goal', spec.goalRef ?? planGoal, namespace)
  return resources
}

/** What a run needs of a resource: identity, generation, labels and spec (never its status). */
function pinned(object: StoredResource): ResourceLike {
  const { name } = object.metadata
  const namespace = namespaceOf(object)
  const metadata = {
    name,
    namespace,
    generation: object.metadata.generation ?? 1,
    ...(object.metadata.uid === undefined ? {} : { uid: object.metadata.uid }),
    ...(object.metadata.labels === undefined ? {} : { labels: object.metadata.labels }),
  }
  return { kind: object.kind, name, namespace, value: { apiVersion: object.apiVersion, kind: object.kind, metadata, spec: object.spec ?? {} } }
}

/**
 * Observes the Gate a Gate node waits on, from the store, for one Execution (core's
 * `gateNodeObservation`: its own decision, for the current generation and its run digest);
 * `NotFound` when the Gate does not exist (the node fails `GateNotFound`).
 */
export async function observeStoredGate(store: ApiStore, ref: { readonly name: string; readonly namespace: string }, subject: GateNodeSubject): Promise<GateNodeObservation> {
  const gate = await store.get({ kind: 'Gate', namespace: ref.namespace, name: ref.name })
  if (gate === undefined) return { phase: 'NotFound', message: `gate "${ref.namespace}/${ref.name}" does not exist` }
  return gateNodeObservation({ metadata: gate.metadata, status: (gate.status ?? {}) as GateStatus }, subject)
}

/** The phase of a resource an External node waits on (`kind` defaults to Goal, as in git mode); read synchronously. */
export function storedPhase(store: ApiStore, ref: { readonly name: string; readonly kind?: string; readonly namespace?: string }, holderNamespace: string): string | undefined {
  const text = store.getText({ kind: ref.kind ?? 'Goal', namespace: ref.namespace ?? holderNamespace, name: ref.name })
  if (text === undefined) return undefined
  const phase = (JSON.parse(text) as { status?: { phase?: unknown } }).status?.phase
  return typeof phase === 'string' ? phase : undefined
}
