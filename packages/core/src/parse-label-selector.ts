import type { LabelSelectorLike, LabelSelectorRequirementLike } from './label-selector.js'

/** The outcome of {@link parseLabelSelector}: the selector, or why the text is not one. */
export type LabelSelectorParseResult = { readonly ok: true; readonly selector: LabelSelectorLike } | { readonly ok: false; readonly message: string }

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/

class SelectorSyntax extends Error {}

/**
 * Parses a Kubernetes label selector string (`-l`, `?labelSelector=`) into the LabelSelector that
 * {@link matchesLabelSelector} evaluates: comma-separated requirements `key`, `!key`, `key=value`,
 * `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`. One parser for the API server and
 * the command line in git mode, so both select the same objects. Never throws.
 *
 * @example
 * parseLabelSelector('team=billing,env notin (dev),!legacy') // { ok: true, selector: { matchExpressions: [...] } }
 */
export function parseLabelSelector(text: string): LabelSelectorParseResult {
  try {
    const requirements: LabelSelectorRequirementLike[] = []
    for (const part of splitTopLevel(text)) requirements.push(requirement(part))
    return { ok: true, selector: { matchExpressions: requirements } }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

function requirement(part: string): LabelSelectorRequirementLike {
  const set = /^\s*(\S+)\s+(in|notin)\s*\((.*)\)\s*$/.exec(part)
  if (set) return { key: checkKey(set[1]!), operator: set[2] === 'in' ? 'In' : 'NotIn', values: set[3]!.split(',').map((v) => checkValue(v.trim())) }
  const equality = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(part)
  if (equality) return { key: checkKey(equality[1]!), operator: equality[2] === '!=' ? 'NotIn' : 'In', values: [checkValue(equality[3]!)] }
  const existence = /^\s*(!?)\s*([^=!\s()]+)\s*$/.exec(part)
  if (existence) return { key: checkKey(existence[2]!), operator: existence[1] === '!' ? 'DoesNotExist' : 'Exists' }
  throw new SelectorSyntax(`unable to parse requirement ${JSON.stringify(part)} of labelSelector`)
}

/** Splits on commas outside parentheses; empty input gives no parts. */
function splitTopLevel(text: string): string[] {
  const split = splitSelectorTerms(text)
  if (!split.ok) throw new SelectorSyntax(split.message)
  return split.parts
}

/**
 * Splits a label or field selector into its comma-separated terms, leaving commas inside
 * parentheses (`env in (a,b)`) alone; empty input gives no terms. Unbalanced parentheses are an
 * error. Pure: the label parser here and the server's field selectors share it.
 *
 * @example
 * ```ts
 * splitSelectorTerms('env in (a,b),tier=web') // { ok: true, parts: ['env in (a,b)', 'tier=web'] }
 * ```
 */
export function splitSelectorTerms(text: string): { readonly ok: true; readonly parts: string[] } | { readonly ok: false; readonly message: string } {
  if (text.trim() === '') return { ok: true, parts: [] }
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const ch of text) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (depth < 0) return { ok: false, message: 'unbalanced parentheses in selector' }
    if (ch === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += ch
  }
  if (depth !== 0) return { ok: false, message: 'unbalanced parentheses in selector' }
  parts.push(current)
  return { ok: true, parts }
}

function checkKey(key: string): string {
  if (key.length > 253 || !KEY.test(key)) throw new SelectorSyntax(`invalid label key ${JSON.stringify(key)} in labelSelector`)
  return key
}

function checkValue(value: string): string {
  if (value.length > 63 || !VALUE.test(value)) throw new SelectorSyntax(`invalid label value ${JSON.stringify(value)} in labelSelector`)
  return value
}
