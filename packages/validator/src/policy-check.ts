import type { PathIssue } from './finding.js'
import { toPointer } from './positions.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

// Credential shapes common enough to be worth a warning (RESOURCES 7.4: context is no place for
// secrets). Each pattern is anchored on a distinctive prefix and bounded, so it cannot backtrack.
const SECRET_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'a GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b/ },
  { name: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,72}\b/ },
  { name: 'a private key', pattern: /-----BEGIN (?:[A-Z]{1,10} )?PRIVATE KEY-----/ },
  { name: 'an OpenAI-style API key', pattern: /\bsk-[A-Za-z0-9_-]{32,200}\b/ },
]
// Every pattern above needs one of these literals, and at least 15 characters (a Slack token's
// `xoxb-` and 10 more): other strings are not tested further.
const SECRET_PREFIX = /gh[pousr]_|github_pat_|AKIA|ASIA|xox[abprs]-|-----BEGIN |sk-/
const SHORTEST_SECRET = 15
// What the text of a file holds when one of its strings may match SECRET_PREFIX: each prefix as
// it is written (a line fold adds a space, so no prefix spans one; the space after `BEGIN` may be
// a fold), after a word boundary where the pattern has one (the text around a value is white
// space, a quote or a bracket, as the value's start is). An escape can write any character, so
// a backslash anywhere means the strings must be looked at.
const SECRET_IN_TEXT = /\b(?:gh[pousr]_|github_pat_|AKIA|ASIA|xox[abprs]-|sk-)|-----BEGIN|\\/

/**
 * Tells whether any string read from `text` by the fast parser may look like a credential: when
 * not, `checkPolicy` need not look at the strings of its resources (`credentialsPossible: false`).
 *
 * @example
 * textMayHoldCredentials('token: ghp_0123456789abcdef0123456789abcdef0123\n') // true
 * textMayHoldCredentials('name: task-1\n') // false
 */
export function textMayHoldCredentials(text: string): boolean {
  return SECRET_IN_TEXT.test(text)
}
const PARAMETER_KEY = /^(?:x-[A-Za-z0-9_.-]+|[a-z0-9-]+(?:\.[a-z0-9-]+)+)$/

/** Reports every string under `value` that looks like a credential; `segments` is its path, extended and restored on the way. */
function findSecrets(value: unknown, segments: (string | number)[], issues: PathIssue[]): void {
  if (typeof value === 'string') {
    const hit = value.length >= SHORTEST_SECRET && SECRET_PREFIX.test(value) ? SECRET_PATTERNS.find((p) => p.pattern.test(value)) : undefined
    if (hit) issues.push({ code: 'PS6001', message: `this looks like ${hit.name}; manifests are committed to git, so refer to secrets by URI (secret://...) instead`, path: toPointer(segments) })
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      segments.push(i)
      findSecrets(value[i], segments, issues)
      segments.pop()
    }
  } else if (isObj(value)) {
    for (const key of Object.keys(value)) {
      segments.push(key)
      findSecrets(value[key], segments, issues)
      segments.pop()
    }
  }
}

/**
 * Policy checks on one schema-valid resource (codes PS6xxx): values that look like credentials
 * anywhere in `spec`, and Execution parameter keys that are neither reverse-domain nor `x-`.
 *
 * @example
 * checkPolicy('Execution', execution) // [{ code: 'PS6002', path: '/spec/parameters/region', … }]
 */
export function checkPolicy(kind: string, resource: Obj, options: { readonly credentialsPossible?: boolean } = {}): PathIssue[] {
  const issues: PathIssue[] = []
  // One shared path, extended and restored on the way: a copy is made only for a finding.
  if (options.credentialsPossible !== false) findSecrets(resource.spec, ['spec'], issues)
  const spec = resource.spec
  if (kind === 'Execution' && isObj(spec) && isObj(spec.parameters)) {
    for (const key of Object.keys(spec.parameters)) {
      if (!PARAMETER_KEY.test(key)) issues.push({ code: 'PS6002', message: `parameter key "${key}" is neither reverse-domain (io.example.${key}) nor x- prefixed (x-${key})`, path: toPointer(['spec', 'parameters', key]), key: true })
    }
  }
  return issues
}
