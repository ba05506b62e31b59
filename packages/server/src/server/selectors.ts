import { matchesLabelSelector, type LabelSelectorLike, type LabelSelectorRequirementLike, type StoredResource } from '@planspec/core'
import { ApiError } from './error-catalog.js'

/** A predicate over stored objects built from a query parameter. */
export type ObjectFilter = (object: StoredResource) => boolean

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/

/**
 * Parses a Kubernetes `labelSelector` query string into a LabelSelector that core's
 * `matchesLabelSelector` evaluates: comma-separated requirements `key`, `!key`, `key=value`,
 * `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`. Throws a 400 `ApiError` on bad syntax.
 *
 * @example
 * parseLabelSelector('team=billing,env notin (dev),!legacy')
 */
export function parseLabelSelector(text: string): LabelSelectorLike {
  const requirements: LabelSelectorRequirementLike[] = []
  for (const part of splitTopLevel(text)) {
    const set = /^\s*(\S+)\s+(in|notin)\s*\((.*)\)\s*$/.exec(part)
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim())
      requirements.push({ key: checkKey(set[1]!), operator: set[2] === 'in' ? 'In' : 'NotIn', values: values.map(checkValue) })
      continue
    }
    const equality = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(part)
    if (equality) {
      requirements.push({ key: checkKey(equality[1]!), operator: equality[2] === '!=' ? 'NotIn' : 'In', values: [checkValue(equality[3]!)] })
      continue
    }
    const existence = /^\s*(!?)\s*([^=!\s()]+)\s*$/.exec(part)
    if (existence) {
      requirements.push({ key: checkKey(existence[2]!), operator: existence[1] === '!' ? 'DoesNotExist' : 'Exists' })
      continue
    }
    throw new ApiError('BadRequest', `unable to parse requirement ${JSON.stringify(part)} of labelSelector`)
  }
  return { matchExpressions: requirements }
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

/** Splits on commas outside parentheses; empty input gives no parts. */
function splitTopLevel(text: string): string[] {
  if (text.trim() === '') return []
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const ch of text) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (depth < 0) throw new ApiError('BadRequest', 'unbalanced parentheses in selector')
    if (ch === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += ch
  }
  if (depth !== 0) throw new ApiError('BadRequest', 'unbalanced parentheses in selector')
  parts.push(current)
  return parts
}

function checkKey(key: string): string {
  if (key.length > 253 || !KEY.test(key)) throw new ApiError('BadRequest', `invalid label key ${JSON.stringify(key)} in labelSelector`)
  return key
}

function checkValue(value: string): string {
  if (value.length > 63 || !VALUE.test(value)) throw new ApiError('BadRequest', `invalid label value ${JSON.stringify(value)} in labelSelector`)
  return value
}
