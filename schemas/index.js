// @planspec/schemas: the JSON Schemas (draft 2020-12) of every PlanSpec v1alpha1 kind.
// Types and documentation live in index.d.ts.
import { readFileSync } from 'node:fs'

const BASE = 'https://planspec.io/schemas/v1alpha1/'

/** Schema files in load order: shared definitions first. */
const FILES = [
  'common.json',
  'goal.json',
  'plan.json',
  'capability.json',
  'binding.json',
  'execution.json',
  'gate.json',
  'list.json',
  'role.json',
  'cluster-role.json',
  'role-binding.json',
  'cluster-role-binding.json',
  'repository-config.json',
]

const load = (file) => JSON.parse(readFileSync(new URL(`./v1alpha1/${file}`, import.meta.url), 'utf8'))

export const apiVersion = 'planspec.io/v1alpha1'

export const schemas = FILES.map(load)

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

const info = (plural, namespaced, hasStatus) => Object.freeze({ plural, namespaced, hasStatus })

export const kindInfo = Object.freeze({
  Goal: info('goals', true, true),
  Plan: info('plans', true, true),
  Capability: info('capabilities', true, true),
  Binding: info('bindings', true, true),
  Execution: info('executions', true, true),
  Gate: info('gates', true, true),
  List: info('lists', false, false),
  Role: info('roles', true, false),
  ClusterRole: info('clusterroles', false, false),
  RoleBinding: info('rolebindings', true, false),
  ClusterRoleBinding: info('clusterrolebindings', false, false),
})
