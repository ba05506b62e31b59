import { PROVIDER_SCHEMES, type Severity } from '@planspec/core'

// The one scheme table (core) in the PS4009 help: `exec://, tool://, ... and noop://`.
const SCHEMES = Object.keys(PROVIDER_SCHEMES).map((scheme) => `${scheme}://`)
const KNOWN_PROVIDER_SCHEMES = `${SCHEMES.slice(0, -1).join(', ')} and ${SCHEMES.at(-1)}`

/** Documentation of one diagnostic code: a stable identity users can search for and suppress. */
export interface CodeInfo {
  /** Default severity; `--compat`, `--closed` and `--warnings-as-errors` may change it. */
  readonly severity: Severity
  /** Short title, also the SARIF rule's short description. */
  readonly title: string
  /** What the code means and how to fix it. */
  readonly help: string
  /** A minimal YAML fragment that triggers the code. */
  readonly example: string
}

/**
 * The catalog of every diagnostic code. Codes are `PS` + 4 digits, grouped by area: 1xxx YAML and
 * parsing, 2xxx schema, 3xxx graph, 4xxx cross-reference, 5xxx compat/legacy shapes, 6xxx policy.
 * A code, once published, never changes meaning.
 */
export const CODES = {
  PS1001: { severity: 'error', title: 'YAML syntax error', help: 'The file is not well-formed YAML. Fix the syntax at the position shown; tabs are not allowed for indentation.', example: 'spec:\n\tdescription: tab-indented' },
  PS1002: { severity: 'error', title: 'Not a text file', help: 'The file holds a NUL byte or is not valid UTF-8, so it cannot be a manifest.', example: '<binary bytes>' },
  PS1003: { severity: 'error', title: 'Duplicate key', help: 'A mapping holds the same key twice. YAML 1.2 forbids it and the second value would silently win elsewhere; keep one.', example: 'metadata:\n  name: a\n  name: b' },
  PS1004: { severity: 'error', title: 'Anchors and aliases are not allowed', help: 'Manifests may not use anchors (&a) or aliases (*a): they enable alias bombs (CVE-2019-11253). Write values out.', example: 'a: &x [1, 2]\nb: *x' },
  PS1005: { severity: 'error', title: 'Unsupported YAML version', help: 'Manifests are YAML 1.2. A %YAML 1.1 directive would turn `on`, `yes` and `NO` into booleans; remove the directive.', example: '%YAML 1.1\n---\non: yes' },
  PS1006: { severity: 'error', title: 'File too large', help: 'The file is larger than the size limit (1 MiB by default, flag --max-file-size) and was not read.', example: '<a 50 MB file>' },
  PS1007: { severity: 'error', title: 'Nesting too deep', help: 'The document nests deeper than the limit (64 by default, flag --max-depth) and was not parsed.', example: 'a: [[[[[[ ... ]]]]]]' },
  PS1008: { severity: 'warning', title: 'Empty file', help: 'The file holds no YAML documents.', example: '' },
  PS1009: { severity: 'error', title: 'Too many documents', help: 'The file holds more documents than the limit (1000); the rest were not read. Split the file.', example: '---\n---\n...' },
  PS1010: { severity: 'error', title: 'File cannot be read', help: 'The file could not be read (permissions, a broken link, or a directory loop).', example: '<unreadable file>' },
  PS1011: { severity: 'error', title: 'Tag not allowed', help: 'Explicit YAML tags other than the core ones (!!str, !!int, ...) are not allowed: manifests are plain data.', example: 'run: !!js/function "() => 1"' },
  PS1012: { severity: 'error', title: 'Path not found', help: 'A path given to planspec validate does not exist. The other paths are still checked; the run exits 2, as for any usage or I/O error.', example: 'planspec validate plans/ no-such-dir/' },
  PS1013: { severity: 'error', title: 'No YAML files found', help: 'The paths given hold no *.yaml or *.yml file (after the paths and exclude of .planspec.yaml). The run exits 2.', example: 'planspec validate docs/' },
  PS1014: { severity: 'error', title: 'File could not be validated', help: 'Checking this file stopped its validation worker (it ran out of memory, or the worker crashed). The other files were checked. Reduce the file, or raise the limits; report it if the file is small.', example: '<a file that exhausts the validator>' },
  PS1099: { severity: 'warning', title: 'Too many findings', help: 'The file has more findings than the per-file cap; the rest are not shown. Fix the ones shown first.', example: '' },
  PS2001: { severity: 'error', title: 'Document is not a mapping', help: 'Each YAML document must be a mapping with apiVersion, kind, metadata and spec. A list or a scalar is not a resource.', example: '- a\n- b' },
  PS2002: { severity: 'error', title: 'Unknown or missing kind', help: 'kind must be one of Goal, Plan, Capability, Binding, Execution, Gate, List, Role, ClusterRole, RoleBinding, ClusterRoleBinding.', example: 'apiVersion: planspec.io/v1alpha1\nkind: Goul' },
  PS2003: { severity: 'error', title: 'Wrong apiVersion', help: 'apiVersion must be planspec.io/v1alpha1.', example: 'apiVersion: planspec.io/v1' },
  PS2004: { severity: 'error', title: 'Unknown field', help: 'The field is not part of the resource schema. Schemas are strict: a typo would otherwise be ignored silently.', example: 'spec:\n  descripton: typo' },
  PS2005: { severity: 'error', title: 'Missing required field', help: 'A required field is absent.', example: 'kind: Goal\nspec: {}' },
  PS2006: { severity: 'error', title: 'Wrong type', help: 'The value has the wrong type (quote label values and versions: "2").', example: 'labels:\n  planspec.io/version: 2' },
  PS2007: { severity: 'error', title: 'Value not allowed', help: 'The value is not one of the allowed values.', example: 'estimatedEffort: huge' },
  PS2008: { severity: 'error', title: 'Invalid format', help: 'The string does not have the required form (pattern or format).', example: 'outputs: [Build-Image]' },
  PS2009: { severity: 'error', title: 'Invalid name', help: 'Names, namespaces and node ids are DNS labels: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters.', example: 'metadata:\n  name: Web_Auth' },
  PS2010: { severity: 'error', title: 'Invalid duration', help: 'Durations are Go style: a sequence of number+unit with units ns, us, ms, s, m, h (e.g. 90s, 1h30m, 168h).', example: 'timeout: 5 minutes' },
  PS2011: { severity: 'error', title: 'Invalid label', help: 'Label keys are an optional DNS-subdomain prefix and a name of at most 63 characters; values are at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends.', example: 'labels:\n  team: "-bad-"' },
  PS2012: { severity: 'error', title: 'Limit exceeded', help: 'A length, count or range limit of the schema is exceeded.', example: 'retries: 11' },
  PS2013: { severity: 'error', title: 'Invalid combination of fields', help: 'The fields present do not form one of the allowed shapes (for example a Binding selector, or series without version).', example: 'selector:\n  nodeId: build' },
  PS2014: { severity: 'error', title: 'Duplicate items', help: 'The list must not hold the same item twice.', example: 'outputs: [a, a]' },
  PS2015: { severity: 'warning', title: 'Status is ignored', help: 'status is written by controllers only; a status in a manifest is ignored.', example: 'status:\n  phase: Succeeded' },
  PS2016: { severity: 'error', title: 'Duplicate id in a list', help: 'Ids in this list must be unique.', example: 'acceptanceCriteria:\n  - {id: a, description: x}\n  - {id: a, description: y}' },
  PS2017: { severity: 'error', title: 'Invalid regular expression', help: 'A contentMatch, outputMatch or bodyMatch pattern is not a valid regular expression.', example: 'outputMatch: "(["' },
  PS3001: { severity: 'error', title: 'Duplicate node id', help: 'Node ids must be unique within a Plan (G1).', example: 'nodes:\n  - {id: a, kind: Task}\n  - {id: a, kind: Task}' },
  PS3002: { severity: 'error', title: 'Edge names an unknown node', help: 'Both ends of every edge must name a node of the Plan (G2).', example: 'edges:\n  - {from: a, to: missing}' },
  PS3003: { severity: 'error', title: 'dependsOn names an unknown node', help: 'Every dependsOn entry must name a node of the Plan (G7).', example: 'dependsOn: [missing]' },
  PS3004: { severity: 'error', title: 'Group child is unknown', help: 'Every Group child must name a node of the Plan (G6).', example: 'children: [missing]' },
  PS3005: { severity: 'error', title: 'Self-loop', help: 'A node cannot depend on itself (G3).', example: '- {id: a, kind: Task, dependsOn: [a]}' },
  PS3006: { severity: 'error', title: 'Cycle', help: 'The graph, with dependsOn normalised into edges, must be acyclic (G4). The message names the cycle.', example: 'edges:\n  - {from: a, to: b}\n  - {from: b, to: a}' },
  PS3007: { severity: 'warning', title: 'Duplicate edge', help: 'The same edge is declared twice (G5); it is collapsed into one.', example: 'edges:\n  - {from: a, to: b}\n  - {from: a, to: b}' },
  PS3008: { severity: 'error', title: 'Edge touches a Group', help: 'Groups are presentational: they create no edges, and edges or dependsOn may not name them. Depend on the group\'s children instead.', example: 'dependsOn: [build-group]' },
  PS3009: { severity: 'error', title: 'Group cycle', help: 'A Group may not contain itself, directly or through nested groups.', example: '- {id: g, kind: Group, children: [g]}' },
  PS3010: { severity: 'error', title: 'Invalid CEL expression', help: 'when and ${{ }} templates are CEL (Common Expression Language) expressions; this one does not parse.', example: 'when: params.x ==' },
  PS3011: { severity: 'error', title: 'Expression references a node that is not a hard ancestor', help: 'An expression may read nodes.<id> only for nodes that precede this one through hard edges or dependsOn: only they are guaranteed to have finished.', example: 'when: nodes.later.phase == "Succeeded"' },
  PS3012: { severity: 'error', title: 'Expression references an undeclared output', help: 'nodes.<id>.outputs.<name> must name an output the node declares in its outputs list.', example: 'inputs: {tag: "${{ nodes.build.outputs.tag }}"}' },
  PS3013: { severity: 'error', title: 'Expression uses an unknown variable', help: 'Expressions may use params, inputs, nodes and goal only.', example: 'when: env.CI == "true"' },
  PS3014: { severity: 'error', title: 'Unterminated template', help: 'A ${{ template has no closing }}.', example: 'inputs: {a: "${{ params.x"}' },
  PS3015: { severity: 'error', title: 'Graph digest mismatch', help: 'spec.graphDigest must equal the sha256 digest of the canonical graph JSON (G10).', example: 'graphDigest: sha256:000...' },
  PS3016: { severity: 'error', title: 'Reserved input key', help: 'Task input keys starting with "_" are reserved for the system.', example: 'inputs: {_secret: x}' },
  PS4001: { severity: 'warning', title: 'Reference to a resource outside the file set', help: 'The referenced resource is not among the files validated. It may live elsewhere; with --closed this is an error.', example: 'goalRef: {name: missing-goal}' },
  PS4002: { severity: 'error', title: 'Duplicate resource', help: 'Two documents define the same kind, namespace and name.', example: '<two files with kind Goal, name a>' },
  PS4003: { severity: 'error', title: 'Unknown node of the referenced Plan', help: 'The node id must be a node of the referenced Plan (Binding selector nodeId, Execution nodeBindings keys, Gate targetRef.nodeId, gateRef back-reference).', example: 'nodeBindings:\n  missing-node: {name: b}' },
  PS4004: { severity: 'error', title: 'Capability requirement cycle', help: 'Capabilities may not require themselves, directly or through a chain.', example: 'requirements: [{name: self}]' },
  PS4005: { severity: 'error', title: 'Reference crosses namespaces where it may not', help: 'An Execution runs a Plan of its own namespace.', example: 'planRef: {name: p, namespace: other}' },
  PS4006: { severity: 'error', title: 'Duplicate version in a series', help: 'Two Plans of one series have the same version.', example: 'series: a\nversion: "1"  # twice' },
  PS4007: { severity: 'warning', title: 'Supersedes a plan of another series', help: 'supersedes should name the previous version of the same series.', example: 'supersedes: [{name: other-series-v1}]' },
  PS4008: { severity: 'error', title: 'Supersedes cycle', help: 'Following supersedes must end; this chain loops.', example: 'a supersedes b, b supersedes a' },
  PS4009: { severity: 'warning', title: 'Unknown provider scheme', help: `Known provider schemes are ${KNOWN_PROVIDER_SCHEMES}. At run time an unknown provider fails the node with reason UnknownProvider.`, example: 'provider: ftp://host' },
  PS4010: { severity: 'error', title: 'Reference has the wrong kind', help: 'The reference names a kind that this field cannot point to.', example: 'gateRef: {name: g, kind: Plan}' },
  PS4011: { severity: 'error', title: 'Binding conflict', help: 'Under strategy ErrorOnConflict two rules tie for a capability use.', example: '<two rules, same priority and selector shape>' },
  PS4012: { severity: 'error', title: 'Unbound capability', help: 'No rule of the Binding an Execution uses resolves a capability a Task needs (or rules tie under ErrorOnConflict); the run would fail before any node starts (reason Unbound). Reported by planspec simulate.', example: 'capabilityRefs: [{name: deploy}]  # and no rule for deploy' },
  PS4013: { severity: 'error', title: 'Gate cannot be approved', help: 'The Gate a Gate node waits on does not exist, or fewer distinct eligible reviewers are listed than requiredApprovers; the run would wait forever. Reported by planspec simulate.', example: 'reviewers: ["user:alice"]\nrequiredApprovers: 2' },
  PS5001: { severity: 'error', title: 'Legacy capabilityRef', help: 'The singular capabilityRef is a legacy shape; write capabilityRefs: [ ... ]. Accepted as a warning with --compat; `planspec fix` rewrites it.', example: 'capabilityRef: {name: code-gen}' },
  PS5002: { severity: 'error', title: 'Legacy capabilities list', help: 'A capabilities: list of strings is a legacy shape; write capabilityRefs: [{name: ...}]. Accepted with --compat; `planspec fix` rewrites it.', example: 'capabilities: [code-gen]' },
  PS5003: { severity: 'error', title: 'Legacy requirement key capability', help: 'Capability requirements use name:, not capability:. Accepted with --compat; `planspec fix` renames it.', example: 'requirements:\n  - capability: testing' },
  PS5004: { severity: 'error', title: 'Legacy parameter type integer', help: 'Parameter types are string, number, boolean, object and array; integer becomes number. Accepted with --compat; `planspec fix` rewrites it.', example: 'type: integer' },
  PS5005: { severity: 'error', title: 'Task field on a Gate node', help: 'when, inputs and timeout belong on Task nodes; on a Gate node they are a legacy shape that `planspec fix` removes.', example: '- {id: g, kind: Gate, when: "true", gateRef: {name: g}}' },
  PS5006: { severity: 'error', title: 'Day or week duration', help: 'Durations have no day or week unit; write hours (7d is 168h). Accepted with --compat; `planspec fix` rewrites it.', example: 'timeout: 7d' },
  PS5007: { severity: 'error', title: 'Underscore in node id', help: 'Node ids are DNS labels; "_" becomes "-". Accepted with --compat; `planspec fix` renames the node and every reference to it.', example: '- {id: build_image, kind: Task}' },
  PS5008: { severity: 'error', title: 'Legacy webhook criterion field', help: 'A custom acceptance criterion names its service in webhookUrl, not webhook. Accepted with --compat; `planspec fix` renames it.', example: 'webhook: https://ci.example.org/check' },
  PS5009: { severity: 'error', title: 'Legacy properties field', help: 'Nested parameter properties are objectProperties, not properties. Accepted with --compat; `planspec fix` renames it.', example: 'properties: {a: {name: a, type: string}}' },
  PS6001: { severity: 'warning', title: 'Possible secret in a manifest', help: 'The value looks like a credential. Manifests are committed to git; refer to secrets by URI (secret://...) instead.', example: 'inputs: {token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX}' },
  PS6002: { severity: 'warning', title: 'Non-conventional parameter key', help: 'Execution parameters and outputs extensions use reverse-domain keys (io.planspec.x) or an x- prefix.', example: 'parameters: {region: eu}' },
} as const satisfies Record<string, CodeInfo>

/** A diagnostic code of the catalog. */
export type Code = keyof typeof CODES
