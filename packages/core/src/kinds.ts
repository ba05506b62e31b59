import { KIND_TABLE, type KindFacts, type KindName } from './model/kind-table.js'

const KIND_NAMES = Object.keys(KIND_TABLE) as KindName[]

/** Every word a command line may use for a kind: the singular, the plural and the short names. */
const BY_WORD: ReadonlyMap<string, KindName> = new Map(
  KIND_NAMES.flatMap((kind) => {
    const facts: KindFacts = KIND_TABLE[kind]
    return [kind.toLowerCase(), facts.plural, ...facts.shortNames].map((word) => [word, kind] as const)
  }),
)

/**
 * Resolves a kind as kubectl does: any case, singular (`plan`), plural (`plans`) or a short name
 * (`ex`, `cap`). Returns `undefined` for anything else; `List` resolves too (callers that serve no
 * lists filter it).
 *
 * @example
 * ```ts
 * resolveKind('EXECUTIONS') // 'Execution'
 * resolveKind('cap')        // 'Capability'
 * resolveKind('widget')     // undefined
 * ```
 */
export function resolveKind(text: string): KindName | undefined {
  return BY_WORD.get(text.toLowerCase())
}

/**
 * Returns the facts (plural, scope, status, short names) of a kind spelled exactly as in a
 * document's `kind`, or `undefined` when it has no schema.
 *
 * @example
 * ```ts
 * kindFacts('Plan') // { plural: 'plans', namespaced: true, hasStatus: true, shortNames: [] }
 * ```
 */
export function kindFacts(kind: string): KindFacts | undefined {
  return Object.hasOwn(KIND_TABLE, kind) ? KIND_TABLE[kind as KindName] : undefined
}

/**
 * Lists kinds in dependency order, optionally only those matching `filter`.
 *
 * @example
 * ```ts
 * kindNames((facts) => facts.hasStatus) // ['Goal', 'Plan', 'Capability', 'Binding', 'Gate', 'Execution']
 * ```
 */
export function kindNames(filter: (facts: KindFacts, kind: KindName) => boolean = () => true): KindName[] {
  return KIND_NAMES.filter((kind) => filter(KIND_TABLE[kind], kind))
}
