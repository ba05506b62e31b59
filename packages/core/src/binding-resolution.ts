import { matchesLabels, type LabelsLike } from './label-selector.js'
import { resolveReference, type ObjectReferenceLike } from './reference.js'

/** The fields of a BindingSelector (RESOURCES 4.2) that resolution reads. */
export interface BindingSelectorLike {
  readonly capabilityRef?: ObjectReferenceLike
  readonly planRef?: ObjectReferenceLike
  readonly nodeId?: string
  readonly matchLabels?: LabelsLike
}

/** The fields of a BindingTarget (RESOURCES 4.3). */
export interface BindingTargetLike {
  readonly provider: string
  readonly config?: Readonly<Record<string, unknown>>
}

/** The fields of a BindingRule (RESOURCES 4.1) that resolution reads. */
export interface BindingRuleLike {
  readonly priority?: number
  readonly selector: BindingSelectorLike
  readonly target: BindingTargetLike
}

/** The fields of a Binding resource that resolution reads. */
export interface BindingLike {
  readonly spec: {
    /** `FirstMatch` (default), `MostSpecific` or `ErrorOnConflict`; any other value acts as `FirstMatch`. */
    readonly strategy?: string
    readonly rules: readonly BindingRuleLike[]
  }
}

/** The five selector shapes of RESOURCES 4.2, named by their keys. */
export type SelectorShape = 'planRef+nodeId' | 'planRef+capabilityRef' | 'capabilityRef' | 'planRef' | 'matchLabels'

/** Why a selector matches none of the five shapes. */
export type InvalidSelectorReason =
  | 'empty'
  | 'nodeId-without-planRef'
  | 'nodeId-with-capabilityRef'
  | 'matchLabels-with-other-keys'

/** The outcome of {@link selectorShape}. */
export type SelectorShapeResult =
  | { readonly shape: SelectorShape }
  | { readonly shape: 'invalid'; readonly why: InvalidSelectorReason; readonly message: string }

/** One capability use to resolve: (plan P, node N, capability C), plus the Binding to use. */
export interface CapabilityUse {
  readonly binding: BindingLike
  /** Namespace of the Binding; selector references without a namespace default to it. */
  readonly bindingNamespace: string
  readonly plan: { readonly name: string; readonly namespace: string; readonly labels?: LabelsLike }
  readonly nodeId: string
  /** The capability as the Task references it, namespace already resolved against the Plan. */
  readonly capability: { readonly name: string; readonly namespace: string }
}

/** The outcome of {@link resolveCapabilityUse}; `ruleIndex`/`ruleIndexes` are indexes in `spec.rules`. */
export type BindingResolution =
  | {
      readonly outcome: 'bound'
      readonly ruleIndex: number
      readonly target: BindingTargetLike
      readonly specificity: number
      readonly shape: SelectorShape
    }
  | { readonly outcome: 'unbound'; readonly reason: 'NoMatchingRule' }
  | { readonly outcome: 'conflict'; readonly reason: 'Conflict'; readonly ruleIndexes: number[] }

const SPECIFICITY: Readonly<Record<SelectorShape, number>> = {
  'planRef+nodeId': 1,
  'planRef+capabilityRef': 2,
  capabilityRef: 3,
  planRef: 4,
  matchLabels: 5,
}

const INVALID_MESSAGES: Readonly<Record<InvalidSelectorReason, string>> = {
  empty: 'a selector needs planRef, capabilityRef or matchLabels',
  'nodeId-without-planRef': 'nodeId requires planRef',
  'nodeId-with-capabilityRef': 'nodeId cannot be combined with capabilityRef',
  'matchLabels-with-other-keys': 'matchLabels cannot be combined with planRef, capabilityRef or nodeId',
}

/**
 * Tells which of the five selector shapes (RESOURCES 4.2) a selector has, by the keys present (a key
 * is present when its value is not `undefined`; an empty `matchLabels` map still counts). Anything
 * else is `invalid`, with a reason code and a one-line message.
 *
 * @example
 * ```ts
 * selectorShape({ planRef: { name: 'billing-v3' }, nodeId: 'schema' }) // { shape: 'planRef+nodeId' }
 * selectorShape({ nodeId: 'schema' }) // { shape: 'invalid', why: 'nodeId-without-planRef', message: '…' }
 * ```
 */
export function selectorShape(selector: BindingSelectorLike): SelectorShapeResult {
  const plan = selector.planRef !== undefined
  const capability = selector.capabilityRef !== undefined
  const node = selector.nodeId !== undefined
  if (selector.matchLabels !== undefined) {
    return plan || capability || node ? invalid('matchLabels-with-other-keys') : { shape: 'matchLabels' }
  }
  if (node) {
    if (capability) return invalid('nodeId-with-capabilityRef')
    return plan ? { shape: 'planRef+nodeId' } : invalid('nodeId-without-planRef')
  }
  if (plan) return { shape: capability ? 'planRef+capabilityRef' : 'planRef' }
  return capability ? { shape: 'capabilityRef' } : invalid('empty')
}

/**
 * Returns the specificity rank of a selector shape: 1 (`planRef+nodeId`, most specific) to 5
 * (`matchLabels`), as in RESOURCES 4.2.
 *
 * @example
 * ```ts
 * specificityOf('capabilityRef') // 3
 * ```
 */
export function specificityOf(shape: SelectorShape): number {
  return SPECIFICITY[shape]
}

/**
 * Resolves one capability use against a Binding (RESOURCES 4.4, DECISIONS §4):
 * 1. A rule matches by its selector shape: `planRef+nodeId` (that plan, that node),
 *    `planRef+capabilityRef`, `capabilityRef`, `planRef`, or `matchLabels` on the Plan's labels.
 *    Reference namespaces default to the Binding's namespace. A rule with an invalid selector never
 *    matches (the validator reports it).
 * 2. Matches are ordered by higher `priority` (default 0; a non-finite value counts as 0), then
 *    specificity rank, then file order.
 * 3. When several rules share the best (priority, specificity), `ErrorOnConflict` reports a
 *    conflict listing them in file order; `FirstMatch` (the default, also for unknown values) and
 *    `MostSpecific` take the first in file order. The two are the same here because specificity is
 *    already part of the order (step 2).
 *
 * Overrides through an Execution's `nodeBindings` happen before this call: pass the Binding the
 * override names. Pure and deterministic.
 *
 * @example
 * ```ts
 * resolveCapabilityUse({
 *   binding: { spec: { rules: [{ selector: { capabilityRef: { name: 'code-generation' } }, target: { provider: 'agent://coder' } }] } },
 *   bindingNamespace: 'finance',
 *   plan: { name: 'billing-v3', namespace: 'finance' },
 *   nodeId: 'schema',
 *   capability: { name: 'code-generation', namespace: 'finance' },
 * }) // { outcome: 'bound', ruleIndex: 0, target: { provider: 'agent://coder' }, specificity: 3, shape: 'capabilityRef' }
 * ```
 */
export function resolveCapabilityUse(input: CapabilityUse): BindingResolution {
  const matches: { index: number; priority: number; specificity: number; shape: SelectorShape; rule: BindingRuleLike }[] = []
  input.binding.spec.rules.forEach((rule, index) => {
    const result = selectorShape(rule.selector)
    if (result.shape === 'invalid' || !matchesUse(rule.selector, result.shape, input)) return
    const priority = Number.isFinite(rule.priority) ? (rule.priority as number) : 0
    matches.push({ index, priority, specificity: SPECIFICITY[result.shape], shape: result.shape, rule })
  })
  matches.sort((a, b) => b.priority - a.priority || a.specificity - b.specificity || a.index - b.index)

  const best = matches[0]
  if (best === undefined) return { outcome: 'unbound', reason: 'NoMatchingRule' }
  const tied = matches.filter((m) => m.priority === best.priority && m.specificity === best.specificity)
  if (tied.length > 1 && input.binding.spec.strategy === 'ErrorOnConflict') {
    return { outcome: 'conflict', reason: 'Conflict', ruleIndexes: tied.map((m) => m.index) }
  }
  return { outcome: 'bound', ruleIndex: best.index, target: best.rule.target, specificity: best.specificity, shape: best.shape }
}

/** Tells whether a selector of a known shape matches the use. */
// Runs once per rule, node and capability of every Execution: no closures per call (a bundler
// that keeps function names would name each one).
function matchesUse(selector: BindingSelectorLike, shape: SelectorShape, use: CapabilityUse): boolean {
  switch (shape) {
    case 'planRef+nodeId':
      return matchesPlan(selector, use) && selector.nodeId === use.nodeId
    case 'planRef+capabilityRef':
      return matchesPlan(selector, use) && matchesCapability(selector, use)
    case 'capabilityRef':
      return matchesCapability(selector, use)
    case 'planRef':
      return matchesPlan(selector, use)
    case 'matchLabels':
      return matchesLabels(selector.matchLabels, use.plan.labels)
  }
}

function matchesPlan(selector: BindingSelectorLike, use: CapabilityUse): boolean {
  return sameObject(selector.planRef as ObjectReferenceLike, use.bindingNamespace, use.plan)
}

function matchesCapability(selector: BindingSelectorLike, use: CapabilityUse): boolean {
  return sameObject(selector.capabilityRef as ObjectReferenceLike, use.bindingNamespace, use.capability)
}

/** Tells whether a reference, resolved in `holderNamespace`, names `target`. */
function sameObject(
  ref: ObjectReferenceLike,
  holderNamespace: string,
  target: { readonly name: string; readonly namespace: string },
): boolean {
  const resolved = resolveReference(ref, holderNamespace)
  return resolved.name === target.name && resolved.namespace === target.namespace
}

/** Builds an invalid-shape result. */
function invalid(why: InvalidSelectorReason): SelectorShapeResult {
  return { shape: 'invalid', why, message: INVALID_MESSAGES[why] }
}
