/**
 * A label map (labelKey → labelValue), as in `metadata.labels` or a selector's `matchLabels`. Values
 * may be typed `string | undefined` (as generated index signatures are); an `undefined` value counts
 * as an absent key.
 */
export type LabelsLike = Readonly<Record<string, string | undefined>>

/** The fields of a LabelSelectorRequirement (RESOURCES 0.8) that matching reads. */
export interface LabelSelectorRequirementLike {
  readonly key: string
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`; any other value never matches. */
  readonly operator: string
  readonly values?: readonly string[]
}

/** The fields of a LabelSelector (RESOURCES 0.8) that matching reads. */
export interface LabelSelectorLike {
  readonly matchLabels?: LabelsLike
  readonly matchExpressions?: readonly LabelSelectorRequirementLike[]
}

/**
 * Tells whether `labels` satisfy a full LabelSelector (RESOURCES 0.8, Kubernetes semantics): every
 * `matchLabels` pair is present with an equal value AND every expression holds. `In`: the key is
 * present and its value is listed; `NotIn`: the key is absent or its value is not listed; `Exists`:
 * the key is present; `DoesNotExist`: the key is absent. An absent selector and `{}` match
 * everything; absent `labels` behave as `{}`. An unknown operator fails closed (never matches), and
 * `In` without `values` matches nothing. Keys are looked up with `Object.hasOwn`, so `__proto__` or
 * `constructor` are ordinary keys.
 *
 * @example
 * ```ts
 * matchesLabelSelector(
 *   { matchLabels: { team: 'billing' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
 *   { team: 'billing', env: 'prod' },
 * ) // true
 * ```
 */
export function matchesLabelSelector(selector: LabelSelectorLike | undefined, labels: LabelsLike | undefined): boolean {
  if (selector === undefined) return true
  if (!matchesLabels(selector.matchLabels, labels)) return false
  return (selector.matchExpressions ?? []).every((requirement) => matchesRequirement(requirement, labels))
}

/**
 * Tells whether `labels` contain every pair of `matchLabels` with an equal value: the equality-only
 * form used by Binding `matchLabels` selectors (RESOURCES 4.2, shape 5). Absent or empty
 * `matchLabels` match everything, and so does a pair whose value is `undefined`; absent `labels`
 * behave as `{}`. Prototype-pollution safe: only own properties are read on both maps.
 *
 * @example
 * ```ts
 * matchesLabels({ 'planspec.io/environment': 'prod' }, { 'planspec.io/environment': 'prod', team: 'x' }) // true
 * ```
 */
export function matchesLabels(matchLabels: LabelsLike | undefined, labels: LabelsLike | undefined): boolean {
  if (matchLabels === undefined) return true
  return Object.keys(matchLabels).every((key) => {
    const expected = matchLabels[key]
    return expected === undefined || labelValue(labels, key) === expected
  })
}

/** Evaluates one set-based requirement against `labels`. */
function matchesRequirement(requirement: LabelSelectorRequirementLike, labels: LabelsLike | undefined): boolean {
  const value = labelValue(labels, requirement.key)
  const values = requirement.values ?? []
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value)
    case 'NotIn':
      return value === undefined || !values.includes(value)
    case 'Exists':
      return value !== undefined
    case 'DoesNotExist':
      return value === undefined
    default:
      return false
  }
}

/** Reads an own label, never one inherited from `Object.prototype`. */
function labelValue(labels: LabelsLike | undefined, key: string): string | undefined {
  return labels !== undefined && Object.hasOwn(labels, key) ? labels[key] : undefined
}
