/**
 * `@planspec/schemas`: the strict JSON Schemas (draft 2020-12) of every PlanSpec v1alpha1 kind,
 * plus the facts about each kind that tools need to route documents to them.
 *
 * @packageDocumentation
 */

/** A parsed JSON Schema document from `v1alpha1/`. Every one has `$id`, `$schema`, `title` and `description`. */
export interface SchemaObject {
  readonly $schema: 'https://json-schema.org/draft/2020-12/schema'
  readonly $id: string
  readonly title: string
  readonly description: string
  readonly [keyword: string]: unknown
}

/** Every kind that has a schema: the six core kinds, `List`, and the four RBAC kinds. */
export type SchemaKind =
  | 'Goal'
  | 'Plan'
  | 'Capability'
  | 'Binding'
  | 'Execution'
  | 'Gate'
  | 'List'
  | 'Role'
  | 'ClusterRole'
  | 'RoleBinding'
  | 'ClusterRoleBinding'

/** Facts about one kind. */
export interface KindInfo {
  /** Lower-case plural used in API paths and RBAC rules, e.g. `goals`. */
  readonly plural: string
  /** `true` when objects of the kind live in a namespace; `false` for cluster-scoped kinds and `List`. */
  readonly namespaced: boolean
  /** `true` when the kind has a `status` block (the six core kinds); RBAC kinds and `List` have none. */
  readonly hasStatus: boolean
  /** Short names a command line accepts besides the singular and plural, e.g. `ex` for `Execution`. */
  readonly shortNames: readonly string[]
}

/** The API version every PlanSpec resource carries: `planspec.io/v1alpha1`. */
export declare const apiVersion: 'planspec.io/v1alpha1'

/**
 * All schema documents, parsed, with `common.json` first, then the resource kinds, `List`, the
 * RBAC kinds and `repository-config.json`. Add them all to one validator (e.g.
 * `for (const s of schemas) ajv.addSchema(s)`) so the absolute cross-file `$ref`s resolve, then
 * look a schema up by its `$id`. Treat the objects as read-only: they are shared.
 */
export declare const schemas: readonly SchemaObject[]

/** `$id` of `common.json`, the shared definitions (`#/$defs/dnsLabel`, `#/$defs/objectMeta`, ...). */
export declare const commonSchemaId: 'https://planspec.io/schemas/v1alpha1/common.json'

/** `$id` of the schema for the repository config file `.planspec.yaml` (not a resource). */
export declare const repositoryConfigSchemaId: 'https://planspec.io/schemas/v1alpha1/repository-config.json'

/** `$id` of the schema that validates a whole document of each kind. */
export declare const schemaIdByKind: {
  readonly Goal: 'https://planspec.io/schemas/v1alpha1/goal.json'
  readonly Plan: 'https://planspec.io/schemas/v1alpha1/plan.json'
  readonly Capability: 'https://planspec.io/schemas/v1alpha1/capability.json'
  readonly Binding: 'https://planspec.io/schemas/v1alpha1/binding.json'
  readonly Execution: 'https://planspec.io/schemas/v1alpha1/execution.json'
  readonly Gate: 'https://planspec.io/schemas/v1alpha1/gate.json'
  readonly List: 'https://planspec.io/schemas/v1alpha1/list.json'
  readonly Role: 'https://planspec.io/schemas/v1alpha1/role.json'
  readonly ClusterRole: 'https://planspec.io/schemas/v1alpha1/cluster-role.json'
  readonly RoleBinding: 'https://planspec.io/schemas/v1alpha1/role-binding.json'
  readonly ClusterRoleBinding: 'https://planspec.io/schemas/v1alpha1/cluster-role-binding.json'
}

/**
 * Plural, scope, status presence and short names of each kind (RESOURCES 0.1): the one table of
 * kinds. Key order is the dependency order (Goal, Plan, Capability, Binding, Gate, Execution, then
 * `List` and the RBAC kinds). `npm run codegen` copies it into `@planspec/core` (`KIND_TABLE`).
 */
export declare const kindInfo: { readonly [K in SchemaKind]: KindInfo }
