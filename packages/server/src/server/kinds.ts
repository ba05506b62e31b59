import { kindInfo } from '@planspec/schemas'
import { KIND_TABLE, STATUS_KINDS } from '@planspec/core'

/** The API group and version every PlanSpec resource is served under. */
export const GROUP = 'planspec.io'
/** The served version. */
export const VERSION = 'v1alpha1'
/** `planspec.io/v1alpha1`. */
export const API_VERSION = `${GROUP}/${VERSION}`
/** The path prefix of the group version. */
export const API_PREFIX = `/apis/${GROUP}/${VERSION}`

/** Facts about one served kind. */
export interface KindEntry {
  readonly kind: string
  /** Lower-case plural used in paths, e.g. `goals`. */
  readonly plural: string
  readonly singular: string
  readonly namespaced: boolean
  readonly hasStatus: boolean
  /**
   * The resource name RBAC rules use (`goals`, ..., `gates`); `undefined` for the RBAC kinds
   * themselves, which only a `*` rule covers.
   */
  readonly rbacResource: string | undefined
  /** Short names kubectl accepts (`kubectl get ex`). */
  readonly shortNames: readonly string[]
  /** Categories the kind belongs to (`kubectl get planspec` lists every PlanSpec workflow kind). */
  readonly categories: readonly string[]
}

/** The category of the six workflow kinds (`kubectl get planspec`). */
export const CATEGORY = 'planspec'

// RBAC rules name the reconciled kinds by plural; the RBAC kinds themselves only through `*`.
const RBAC_RESOURCES: ReadonlySet<string> = new Set(STATUS_KINDS.map((kind) => KIND_TABLE[kind].plural))

/** Every served kind (all schema kinds except `List`), in schema order. */
export const KINDS: readonly KindEntry[] = Object.entries(kindInfo)
  .filter(([kind]) => kind !== 'List')
  .map(([kind, info]) => ({
    kind,
    plural: info.plural,
    singular: kind.toLowerCase(),
    namespaced: info.namespaced,
    hasStatus: info.hasStatus,
    rbacResource: RBAC_RESOURCES.has(info.plural) ? info.plural : undefined,
    // Short names (kubectl's habit of two or three letters) come from the one kind table; the RBAC kinds keep none.
    shortNames: info.shortNames,
    categories: RBAC_RESOURCES.has(info.plural) ? [CATEGORY] : [],
  }))

const BY_PLURAL = new Map(KINDS.map((entry) => [entry.plural, entry]))
const BY_KIND = new Map(KINDS.map((entry) => [entry.kind, entry]))

/** Finds a kind by its path plural (`goals`), or undefined when the resource is unknown. */
export function kindByPlural(plural: string): KindEntry | undefined {
  return BY_PLURAL.get(plural)
}

/** Finds a kind by its name (`Goal`), or undefined. */
export function kindByName(kind: string): KindEntry | undefined {
  return BY_KIND.get(kind)
}

/** The namespaced kinds: what a namespace deletion cascades over. */
export const NAMESPACED_KINDS: readonly KindEntry[] = KINDS.filter((entry) => entry.namespaced)
