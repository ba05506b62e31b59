import { matchesLabelSelector, type LabelSelectorLike, type StoredResource } from '@planspec/core'
import type { ApiStore } from '../store/api-store.js'
import type { Identity } from './tokens.js'

/**
 * The verbs of the RBAC profile (RESOURCES 11.1, DECISIONS §8, §9). PATCH counts as `update`.
 * `escalate` and `bind` are checked on `roles`/`clusterroles` only (Kubernetes semantics).
 */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'delete' | 'approve' | 'escalate' | 'bind'

/** One access to decide: a verb on a resource (`goals`, ..., or the plural of an RBAC kind), optionally in a namespace and on one name. */
export interface AccessRequest {
  readonly verb: Verb
  readonly resource: string
  /** Absent for cluster-scoped resources. */
  readonly namespace?: string
  /** Absent for list, watch and create. */
  readonly name?: string
}

/** One RBAC rule as stored in a Role or ClusterRole. */
export interface PolicyRule {
  readonly resources?: readonly string[]
  readonly verbs?: readonly string[]
  readonly resourceNames?: readonly string[]
}

/** Decides accesses. */
export interface Authorizer {
  /** Whether RBAC is enforced at all. */
  readonly enabled: boolean
  allowed(identity: Identity, access: AccessRequest): boolean
  /** Whether the identity bypasses RBAC (a member of an admin group, or RBAC is off). */
  unrestricted(identity: Identity): boolean
  /**
   * The rules that apply to an identity: those bound cluster-wide, plus, with `namespace`, those
   * bound in that namespace. Empty when RBAC is off (use {@link unrestricted}).
   */
  rulesOf(identity: Identity, namespace: string | undefined): readonly PolicyRule[]
  /** The rules of a stored role, aggregation included (`undefined` when the role does not exist). */
  roleRules(kind: 'Role' | 'ClusterRole', namespace: string, name: string): readonly PolicyRule[] | undefined
  /** Stops following policy changes (the server is closing). Idempotent. */
  close(): void
}

/** Options of the RBAC profile. */
export interface RbacOptions {
  /** Members of these groups are allowed everything, so a fresh server can be bootstrapped (default `['system:masters']`). */
  readonly adminGroups?: readonly string[]
}

/** The group every authenticated identity belongs to (as in Kubernetes), for bindings that grant to everyone. */
export const AUTHENTICATED_GROUP = 'system:authenticated'

interface Subject {
  readonly kind: string
  readonly name: string
  readonly namespace?: string
}
interface Binding {
  readonly namespace: string
  readonly subjects: readonly Subject[]
  readonly roleRef: { readonly kind: string; readonly name: string }
}
interface Policy {
  readonly roles: ReadonlyMap<string, readonly PolicyRule[]>
  readonly clusterRoles: ReadonlyMap<string, readonly PolicyRule[]>
  readonly bindings: readonly Binding[]
  readonly clusterBindings: readonly Binding[]
}

const RBAC_KINDS: ReadonlySet<string> = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'])
const MAX_NAMESPACES_PER_IDENTITY = 1024

interface DerivedRules {
  readonly cluster: readonly PolicyRule[]
  readonly namespaces: Map<string, readonly PolicyRule[]>
}

/**
 * Creates the authorizer. With `rbac: false`, every authenticated identity may do everything (the
 * insecure mode `planspec serve --insecure-allow-all-authenticated` asks for). Otherwise access is
 * denied by default and granted by Roles and ClusterRoles stored as resources, bound by
 * RoleBindings (one namespace) and ClusterRoleBindings (everywhere, and for cluster-scoped
 * resources). Subjects match by user name, group (every identity is in `system:authenticated`), or
 * ServiceAccount (user `system:serviceaccount:NS:NAME`). A rule matches when its verbs hold the
 * verb or `*`, its resources hold the resource or `*`, and its `resourceNames` are empty or hold
 * the name. ClusterRole aggregation collects the rules of the ClusterRoles its selectors match.
 * The policy, and the rules each identity holds cluster-wide and in each namespace, are derived
 * once and dropped on any change to an RBAC object (the store's change feed, before the write is
 * answered): a revoked binding takes effect on the next request.
 */
export function createAuthorizer(store: ApiStore, rbac: boolean | RbacOptions | undefined): Authorizer {
  if (rbac === false) {
    return { enabled: false, allowed: () => true, unrestricted: () => true, rulesOf: () => [], roleRules: () => undefined, close: () => undefined }
  }
  const adminGroups = new Set((rbac === true || rbac === undefined ? undefined : rbac.adminGroups) ?? ['system:masters'])
  let policy: Policy | undefined
  // The rules of each identity, cluster-wide and per namespace, derived once per policy version
  // (identities come from the token registry, one object per token) and dropped with the policy.
  // A store that reloaded its state (a replica cut off for long) cannot say what changed: reload.
  let derived = new WeakMap<Identity, DerivedRules>()
  const forget = (): void => {
    policy = undefined
    derived = new WeakMap()
  }
  const unsubscribe = store.subscribe(
    (event) => {
      if (RBAC_KINDS.has(event.key.kind)) forget()
    },
    forget,
  )
  const current = (): Policy => (policy ??= loadPolicy(store))
  const unrestricted = (identity: Identity): boolean => identity.groups.some((group) => adminGroups.has(group))
  const clusterRules = (p: Policy, identity: Identity): PolicyRule[] => {
    const rules: PolicyRule[] = []
    for (const binding of p.clusterBindings) if (bound(binding, identity)) rules.push(...(p.clusterRoles.get(binding.roleRef.name) ?? []))
    return rules
  }
  const namespaceRules = (p: Policy, identity: Identity, namespace: string, cluster: readonly PolicyRule[]): PolicyRule[] => {
    const rules = [...cluster]
    for (const binding of p.bindings) {
      if (binding.namespace !== namespace || !bound(binding, identity)) continue
      const source = binding.roleRef.kind === 'ClusterRole' ? p.clusterRoles : p.roles
      const name = binding.roleRef.kind === 'ClusterRole' ? binding.roleRef.name : `${binding.namespace}/${binding.roleRef.name}`
      rules.push(...(source.get(name) ?? []))
    }
    return rules
  }
  const rulesOf = (identity: Identity, namespace: string | undefined): readonly PolicyRule[] => {
    const p = current()
    let entry = derived.get(identity)
    if (entry === undefined) derived.set(identity, (entry = { cluster: clusterRules(p, identity), namespaces: new Map() }))
    if (namespace === undefined) return entry.cluster
    let rules = entry.namespaces.get(namespace)
    if (rules === undefined) {
      // Namespaces come from URLs: the memo is bounded.
      if (entry.namespaces.size >= MAX_NAMESPACES_PER_IDENTITY) entry.namespaces.clear()
      entry.namespaces.set(namespace, (rules = namespaceRules(p, identity, namespace, entry.cluster)))
    }
    return rules
  }
  return {
    enabled: true,
    close: unsubscribe,
    unrestricted,
    rulesOf,
    roleRules: (kind, namespace, name) => (kind === 'ClusterRole' ? current().clusterRoles.get(name) : current().roles.get(`${namespace}/${name}`)),
    allowed(identity, access) {
      if (unrestricted(identity)) return true
      return rulesOf(identity, access.namespace).some((rule) => ruleAllows(rule, access))
    },
  }
}

function loadPolicy(store: ApiStore): Policy {
  const all = (kind: string): StoredResource[] => store.listPage(kind).rows.map((row) => row.object)
  const roles = new Map(all('Role').map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, rulesOf(r)]))
  const clusterRoleObjects = all('ClusterRole')
  const clusterRoles = new Map(clusterRoleObjects.map((role) => [role.metadata.name, clusterRoleRules(role, clusterRoleObjects)]))
  const bindingOf = (object: StoredResource): Binding => ({
    namespace: object.metadata.namespace ?? '',
    subjects: (object['subjects'] as Subject[] | undefined) ?? [],
    roleRef: (object['roleRef'] as Binding['roleRef'] | undefined) ?? { kind: '', name: '' },
  })
  return { roles, clusterRoles, bindings: all('RoleBinding').map(bindingOf), clusterBindings: all('ClusterRoleBinding').map(bindingOf) }
}

/** The rules of a ClusterRole: its own plus those of the ClusterRoles its aggregation selectors match. */
export function clusterRoleRules(role: StoredResource, clusterRoles: readonly StoredResource[]): PolicyRule[] {
  const selectors = (role['aggregationRule'] as { clusterRoleSelectors?: LabelSelectorLike[] } | undefined)?.clusterRoleSelectors ?? []
  const aggregated = selectors.length === 0 ? [] : clusterRoles.filter((other) => other.metadata.name !== role.metadata.name && selectors.some((s) => matchesLabelSelector(s, other.metadata.labels))).flatMap(rulesOf)
  return [...rulesOf(role), ...aggregated]
}

/** The `rules` of a Role or ClusterRole object. */
export function rulesOf(object: StoredResource): PolicyRule[] {
  return (object['rules'] as PolicyRule[] | undefined) ?? []
}

function bound(binding: Binding, identity: Identity): boolean {
  return binding.subjects.some((subject) => {
    if (subject.kind === 'User') return subject.name === identity.user
    if (subject.kind === 'Group') return subject.name === AUTHENTICATED_GROUP || identity.groups.includes(subject.name)
    if (subject.kind === 'ServiceAccount') return identity.user === `system:serviceaccount:${subject.namespace ?? binding.namespace}:${subject.name}`
    return false
  })
}

/** Whether one rule allows one access (verb, resource and name), `*` matching anything. */
export function ruleAllows(rule: PolicyRule, access: { readonly verb: string; readonly resource: string; readonly name?: string }): boolean {
  const verbs = rule.verbs ?? []
  const resources = rule.resources ?? []
  if (!verbs.includes(access.verb) && !verbs.includes('*')) return false
  if (!resources.includes(access.resource) && !resources.includes('*')) return false
  const names = rule.resourceNames ?? []
  return names.length === 0 || (access.name !== undefined && names.includes(access.name))
}
