import type { StoredResource } from '@planspec/engine'
import type { StoreTransaction } from '../store/api-store.js'
import { clusterRoleRules, rulesOf, ruleAllows, type Authorizer, type PolicyRule } from './authorizer.js'
import { ApiError } from './error-catalog.js'
import type { Identity } from './tokens.js'

const PLURAL: Readonly<Record<string, string>> = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' }

/**
 * Refuses (403 Forbidden) a write of an RBAC object that would grant permissions its author does
 * not hold, as Kubernetes does (privilege escalation prevention):
 * - a Role (or ClusterRole) may carry only rules the author holds in its namespace (cluster-wide
 *   for a ClusterRole, aggregated rules included), unless the author may `escalate` that role;
 * - a RoleBinding (or ClusterRoleBinding) may reference only a role whose every rule the author
 *   holds in the binding's namespace (cluster-wide), unless the author may `bind` that role. A
 *   binding to a role that does not exist is refused the same way.
 * Other kinds, members of the admin groups and servers without RBAC pass. Reads roles through
 * `tx`, so a role written earlier in the same batch counts.
 */
export function authorizeGrant(authorizer: Authorizer, identity: Identity, object: StoredResource, tx: StoreTransaction): void {
  const plural = PLURAL[object.kind]
  if (plural === undefined || !authorizer.enabled || authorizer.unrestricted(identity)) return
  const name = object.metadata.name
  const namespace = object.kind === 'Role' || object.kind === 'RoleBinding' ? (object.metadata.namespace ?? 'default') : undefined
  const held = authorizer.rulesOf(identity, namespace)
  const refuse = (message: string): never => {
    throw new ApiError('Forbidden', `${plural}.planspec.io ${JSON.stringify(name)} is forbidden: user ${JSON.stringify(identity.user)} ${message}`, { name, group: 'planspec.io', kind: plural })
  }
  if (object.kind === 'Role' || object.kind === 'ClusterRole') {
    const rules = object.kind === 'ClusterRole' ? clusterRoleRules(object, tx.list('ClusterRole')) : rulesOf(object)
    const missing = notHeld(held, rules)
    if (missing.length === 0 || authorizer.allowed(identity, { verb: 'escalate', resource: plural, ...(namespace === undefined ? {} : { namespace }), name })) return
    refuse(`is attempting to grant RBAC permissions not currently held: ${missing.join('; ')} (holding the "escalate" verb on ${plural} allows it)`)
  }
  const roleRef = (object['roleRef'] ?? {}) as { kind?: string; name?: string }
  const roleKind = roleRef.kind === 'Role' ? 'Role' : 'ClusterRole'
  const roleName = roleRef.name ?? ''
  const rolePlural = PLURAL[roleKind]!
  if (authorizer.allowed(identity, { verb: 'bind', resource: rolePlural, ...(namespace === undefined ? {} : { namespace }), name: roleName })) return
  const role = tx.get({ kind: roleKind, namespace: roleKind === 'Role' ? (namespace ?? '') : '', name: roleName })
  if (role === undefined) refuse(`cannot bind ${roleKind} ${JSON.stringify(roleName)}, which does not exist, without the "bind" verb on ${rolePlural}`)
  const rules = roleKind === 'ClusterRole' ? clusterRoleRules(role!, tx.list('ClusterRole')) : rulesOf(role!)
  const missing = notHeld(held, rules)
  if (missing.length > 0) refuse(`cannot bind ${roleKind} ${JSON.stringify(roleName)}: it grants permissions not currently held: ${missing.join('; ')} (holding the "bind" verb on ${rolePlural} allows it)`)
}

/**
 * Returns each (verb, resource, name) a rule list grants that `held` does not cover, formatted
 * `verb resource[/name]`. A wildcard is covered only by a wildcard (`*` verbs need a `*` verb).
 */
export function notHeld(held: readonly PolicyRule[], rules: readonly PolicyRule[]): string[] {
  const missing: string[] = []
  for (const rule of rules) {
    const names = rule.resourceNames !== undefined && rule.resourceNames.length > 0 ? rule.resourceNames : [undefined]
    for (const verb of rule.verbs ?? [])
      for (const resource of rule.resources ?? [])
        for (const name of names) {
          const access = { verb, resource, ...(name === undefined ? {} : { name }) }
          if (!held.some((h) => ruleAllows(h, access))) missing.push(`${verb} ${resource}${name === undefined ? '' : `/${name}`}`)
        }
  }
  return [...new Set(missing)]
}
