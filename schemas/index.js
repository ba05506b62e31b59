// @planspec/schemas: the JSON Schemas (draft 2020-12) of every PlanSpec v1alpha1 kind.
// Types and documentation live in index.d.ts.
import common from './v1alpha1/common.json' with { type: 'json' }
import goal from './v1alpha1/goal.json' with { type: 'json' }
import plan from './v1alpha1/plan.json' with { type: 'json' }
import capability from './v1alpha1/capability.json' with { type: 'json' }
import binding from './v1alpha1/binding.json' with { type: 'json' }
import execution from './v1alpha1/execution.json' with { type: 'json' }
import gate from './v1alpha1/gate.json' with { type: 'json' }
import list from './v1alpha1/list.json' with { type: 'json' }
import role from './v1alpha1/role.json' with { type: 'json' }
import clusterRole from './v1alpha1/cluster-role.json' with { type: 'json' }
import roleBinding from './v1alpha1/role-binding.json' with { type: 'json' }
import clusterRoleBinding from './v1alpha1/cluster-role-binding.json' with { type: 'json' }
import repositoryConfig from './v1alpha1/repository-config.json' with { type: 'json' }

const BASE = 'https://planspec.io/schemas/v1alpha1/'

export const apiVersion = 'planspec.io/v1alpha1'

/** Schema documents in load order: shared definitions first. Static JSON imports let bundlers inline them. */
export const schemas = [common, goal, plan, capability, binding, execution, gate, list, role, clusterRole, roleBinding, clusterRoleBinding, repositoryConfig]

export const commonSchemaId = `${BASE}common.json`

export const repositoryConfigSchemaId = `${BASE}repository-config.json`

export const schemaIdByKind = Object.freeze({
  Goal: `${BASE}goal.json`,
  Plan: `${BASE}plan.json`,
  Capability: `${BASE}capability.json`,
  Binding: `${BASE}binding.json`,
  Execution: `${BASE}execution.json`,
  Gate: `${BASE}gate.json`,
  List: `${BASE}list.json`,
  Role: `${BASE}role.json`,
  ClusterRole: `${BASE}cluster-role.json`,
  RoleBinding: `${BASE}role-binding.json`,
  ClusterRoleBinding: `${BASE}cluster-role-binding.json`,
})

const info = (plural, namespaced, hasStatus, shortNames = []) => Object.freeze({ plural, namespaced, hasStatus, shortNames: Object.freeze(shortNames) })

// The one table of kinds: key order is the dependency order (what a review lists first, what an
// apply creates first); codegen copies it into @planspec/core (packages/core/src/model/kind-table.ts).
export const kindInfo = Object.freeze({
  Goal: info('goals', true, true, ['gl']),
  Plan: info('plans', true, true, ['pl']),
  Capability: info('capabilities', true, true, ['cap', 'caps']),
  Binding: info('bindings', true, true, ['bnd']),
  Gate: info('gates', true, true, ['gt']),
  Execution: info('executions', true, true, ['ex', 'exec']),
  List: info('lists', false, false),
  Role: info('roles', true, false),
  ClusterRole: info('clusterroles', false, false),
  RoleBinding: info('rolebindings', true, false),
  ClusterRoleBinding: info('clusterrolebindings', false, false),
})
