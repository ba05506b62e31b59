import { matchesLabelSelector, parseLabelSelector as parseSelectorText, splitSelectorTerms, type LabelSelectorLike, type StoredResource } from '@planspec/core'
import { ApiError } from './error-catalog.js'

/** A predicate over stored objects built from a query parameter. */
export type ObjectFilter = (object: StoredResource) => boolean

/**
 * Parses a Kubernetes `labelSelector` query string with core's `parseLabelSelector` (the one the
 * command line uses in git mode too). Throws a 400 `ApiError` on bad syntax.
 *
 * @example
 * parseLabelSelector('team=billing,env notin (dev),!legacy')
 */
export function parseLabelSelector(text: string): LabelSelectorLike {
  const parsed = parseSelectorText(text)
  if (!parsed.ok) throw new ApiError('BadRequest', parsed.message)
  return parsed.selector
}

/** Builds a filter over `metadata.labels` from a `labelSelector` query string. */
export function labelFilter(text: string): ObjectFilter {
  const selector = parseLabelSelector(text)
  return (object) => matchesLabelSelector(selector, object.metadata.labels)
}

const FIELDS: Readonly<Record<string, (object: StoredResource) => string | undefined>> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace,
  'status.phase': (o) => {
    const status = o.status as { phase?: unknown } | undefined
    return typeof status?.phase === 'string' ? status.phase : undefined
  },
}

/**
 * Builds a filter from a `fieldSelector` query string: comma-separated `field=value`,
 * `field==value` or `field!=value` terms over `metadata.name`, `metadata.namespace` and
 * `status.phase`. An absent field compares as the empty string. Throws a 400 `ApiError` on an
 * unsupported field or bad syntax.
 *
 * @example
 * fieldFilter('status.phase!=Succeeded,metadata.namespace=team')
 */
export function fieldFilter(text: string): ObjectFilter {
  const terms = splitTopLevel(text).map((part) => {
    const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part)
    if (!match) throw new ApiError('BadRequest', `unable to parse requirement ${JSON.stringify(part)} of fieldSelector`)
    const read = FIELDS[match[1]!]
    if (read === undefined) throw new ApiError('BadRequest', `field label not supported: ${match[1]}; use metadata.name, metadata.namespace or status.phase`)
    const value = match[3]!
    const negate = match[2] === '!='
    return (object: StoredResource) => ((read(object) ?? '') === value) !== negate
  })
  return (object) => terms.every((term) => term(object))
}

/** Splits on commas outside parentheses (core's `splitSelectorTerms`); unbalanced parentheses are a 400. */
function splitTopLevel(text: string): string[] {
  const split = splitSelectorTerms(text)
  if (!split.ok) throw new ApiError('BadRequest', split.message)
  return split.parts
}
