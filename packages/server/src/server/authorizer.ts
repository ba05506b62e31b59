import { matchesLabelSelector, type LabelSelectorLike } from '@planspec/core'
import type { StoredResource } from '@planspec/engine'
import type { ApiStore } from '../store/api-store.js'
import type { Identity } from './tokens.js'

/** The verbs of the RBAC profile (RESOURCES 11.1, DECISIONS §8). PATCH counts as `update`. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'delete' | 'approve'

/** One access to decide: a verb on a resource (`goals`, ..., or the plural of an RBAC kind), optionally in a namespace and on one name. */
export interface AccessRequest {
  readonly verb: Verb
  readonly resource: string
  /** Absent for cluster-scoped resources. */
  readonly namespace?: string
  /** Absent for list, watch and create. */
  readonly name?: string
}

/** Decides accesses. */
export interface Authorizer {
  /** Whether RBAC is enforced at all. */
  readonly enabled: boolean
  allowed(identity: Identity, access: AccessRequest): boolean
  /** Stops following policy changes (the server is closing). Idempotent. */
  close(): void
}

/** Options of the optional RBAC profile. */
export interface RbacOptions {
  /** Members of these groups are allowed everything, so a fresh server can be bootstrapped (default `['system:masters']`). */
  readonly adminGroups?: readonly string[]
}

interface PolicyRule {
  readonly resources?: readonly string[]
  readonly verbs?: readonly string[]
  readonly resourceNames?: readonly string[]
}
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

/**
 * Creates the authorizer. Without `rbac`, every authenticated identity may do everything. With it,
 * access is denied by default and granted by Roles and ClusterRoles stored as resources, bound by
 * RoleBindings (one namespace) and ClusterRoleBindings (everywhere, and for cluster-scoped
 * resources). Subjects match by user name, group, or ServiceAccount (user
 * `system:serviceaccount:NS:NAME`). A rule matches when its verbs hold the verb or `*`, its
 * resources hold the resource or `*`, and its `resourceNames` are empty or hold the name. The RBAC
 * kinds and namespaces themselves are covered only by `*` resources. ClusterRole aggregation
 * collects the rules of the ClusterRoles its selectors match. The policy is cached and reloaded
 * after any change to an RBAC object.
 */
export function createAuthorizer(store: ApiStore, rbac: boolean | RbacOptions | undefined): Authorizer {
  if (rbac === undefined || rbac === false) return { enabled: false, allowed: () => true, close: () => undefined }
  const adminGroups = new Set((rbac === true ? undefined : rbac.adminGroups) ?? ['system:masters'])
  let policy: Policy | undefined
  const unsubscribe = store.subscribe((event) => {
    if (RBAC_KINDS.has(event.key.kind)) policy = undefined
  })
  return {
    enabled: true,
    close: unsubscribe,
    allowed(identity, access) {
      if (identity.groups.some((group) => adminGroups.has(group))) return true
      policy ??= loadPolicy(store)
      const rules: PolicyRule[] = []
      for (const binding of policy.clusterBindings) if (bound(binding, identity)) rules.push(...(policy.clusterRoles.get(binding.roleRef.name) ?? []))
      if (access.namespace !== undefined) {
        for (const binding of policy.bindings) {
          if (binding.namespace !== access.namespace || !bound(binding, identity)) continue
          const source = binding.roleRef.kind === 'ClusterRole' ? policy.clusterRoles : policy.roles
          const name = binding.roleRef.kind === 'ClusterRole' ? binding.roleRef.name : `${binding.namespace}/${binding.roleRef.name}`
          rules.push(...(source.get(name) ?? []))
        }
      }
      return rules.some((rule) => ruleAllows(rule, access))
    },
  }
}

function loadPolicy(store: ApiStore): Policy {
  const all = (kind: string): StoredResource[] => store.listPage(kind).rows.map((row) => row.object)
  const roles = new Map(all('Role').map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, rulesOf(r)]))
  const clusterRoleObjects = all('ClusterRole')
  const clusterRoles = new Map(
    clusterRoleObjects.map((role) => {
      const selectors = ((role['aggregationRule'] as { clusterRoleSelectors?: LabelSelectorLike[] } | undefined)?.clusterRoleSelectors ?? [])
      const aggregated = selectors.length === 0 ? [] : clusterRoleObjects.filter((other) => other !== role && selectors.some((s) => matchesLabelSelector(s, other.metadata.labels))).flatMap(rulesOf)
      return [role.metadata.name, [...rulesOf(role), ...aggregated]]
    }),
  )
  const bindingOf = (object: StoredResource): Binding => ({
    namespace: object.metadata.namespace ?? '',
    subjects: (object['subjects'] as Subject[] | undefined) ?? [],
    roleRef: (object['roleRef'] as Binding['roleRef'] | undefined) ?? { kind: '', name: '' },
  })
  return { roles, clusterRoles, bindings: all('RoleBinding').map(bindingOf), clusterBindings: all('ClusterRoleBinding').map(bindingOf) }
}

function rulesOf(object: StoredResource): PolicyRule[] {
  return (object['rules'] as PolicyRule[] | undefined) ?? []
}

function bound(binding: Binding, identity: Identity): boolean {
  return binding.subjects.some((subject) => {
    if (subject.kind === 'User') return subject.name === identity.user
    if (subject.kind === 'Group') return identity.groups.includes(subject.name)
    if (subject.kind === 'ServiceAccount') return identity.user === `system:serviceaccount:${subject.namespace ?? binding.namespace}:${subject.name}`
    return false
  })
}

function ruleAllows(rule: PolicyRule, access: AccessRequest): boolean {
  const verbs = rule.verbs ?? []
  const resources = rule.resources ?? []
  if (!verbs.includes(access.verb) && !verbs.includes('*')) return false
  if (!resources.includes(access.resource) && !resources.includes('*')) return false
  const names = rule.resourceNames ?? []
  return names.length === 0 || (access.name !== undefined && names.includes(access.name))
}
