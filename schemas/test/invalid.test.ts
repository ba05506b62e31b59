import { describe, expect, it } from 'vitest'
import { errorsOf, fixture, summarize, type Doc } from './support.js'
import type { SchemaKind } from '../index.js'

interface Case {
  name: string
  fixture: string
  as?: SchemaKind | 'RepositoryConfig'
  mutate: (doc: Doc) => void
  instancePath: string
  keyword: string
  params?: Record<string, unknown>
  /**
   * The expected error is the only one reported, apart from the `if` errors that Ajv adds at each
   * enclosing discriminated union (e.g. the node, for an error inside a Task node) to say that the
   * chosen variant failed.
   */
  only?: boolean
}

const nodeOf = (plan: Doc, id: string): Doc => plan.spec.graph.nodes.find((n: Doc) => n.id === id)
const NODES = '/spec/graph/nodes'

const cases: Case[] = [
  {
    name: 'unknown top-level key',
    fixture: 'goal',
    mutate: (d) => (d.extra = true),
    instancePath: '',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'extra' },
    only: true,
  },
  {
    name: 'unknown metadata key (selfLink)',
    fixture: 'goal',
    mutate: (d) => (d.metadata.selfLink = '/apis/planspec.io/v1alpha1/namespaces/finance/goals/billing-export'),
    instancePath: '/metadata',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'selfLink' },
    only: true,
  },
  {
    name: 'bad dnsLabel name',
    fixture: 'goal',
    mutate: (d) => (d.metadata.name = 'Web_Auth-'),
    instancePath: '/metadata/name',
    keyword: 'pattern',
    only: true,
  },
  {
    name: 'name longer than 63 characters',
    fixture: 'goal',
    mutate: (d) => (d.metadata.name = 'a'.repeat(64)),
    instancePath: '/metadata/name',
    keyword: 'maxLength',
    only: true,
  },
  {
    name: '7d duration',
    fixture: 'goal',
    mutate: (d) => (d.spec.timeout = '7d'),
    instancePath: '/spec/timeout',
    keyword: 'pattern',
    only: true,
  },
  {
    name: 'bare-number duration',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'warehouse-ready').pollInterval = '0'),
    instancePath: `${NODES}/3/pollInterval`,
    keyword: 'pattern',
    only: true,
  },
  {
    name: 'Gate node with when',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'finance-signoff').when = 'true'),
    instancePath: `${NODES}/2`,
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'when' },
    only: true,
  },
  {
    name: 'Gate node without gateRef',
    fixture: 'plan',
    mutate: (d) => delete nodeOf(d, 'finance-signoff').gateRef,
    instancePath: `${NODES}/2`,
    keyword: 'required',
    params: { missingProperty: 'gateRef' },
    only: true,
  },
  {
    name: 'Task node with children',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'writer').children = ['schema']),
    instancePath: `${NODES}/1`,
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'children' },
    only: true,
  },
  {
    name: 'Task node with the singular capabilityRef',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'writer').capabilityRef = { name: 'code-generation' }),
    instancePath: `${NODES}/1`,
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'capabilityRef' },
    only: true,
  },
  {
    name: 'Group node with timeout',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'build').timeout = '1h'),
    instancePath: `${NODES}/6`,
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'timeout' },
    only: true,
  },
  {
    name: 'unknown node kind',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'writer').kind = 'Step'),
    instancePath: `${NODES}/1/kind`,
    keyword: 'enum',
  },
  {
    name: 'External ref type uri with webhookUrl',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'ticket').externalRef.webhookUrl = 'https://tracker.example.com/hook'),
    instancePath: `${NODES}/4/externalRef`,
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'webhookUrl' },
    only: true,
  },
  {
    name: 'External ref type webhook without webhookUrl',
    fixture: 'plan',
    mutate: (d) => {
      const ref = nodeOf(d, 'warehouse-ready').externalRef
      delete ref.webhookUrl
    },
    instancePath: `${NODES}/3/externalRef`,
    keyword: 'required',
    params: { missingProperty: 'webhookUrl' },
    only: true,
  },
  {
    name: 'acceptance criterion custom missing expectedResponse',
    fixture: 'plan',
    mutate: (d) => delete nodeOf(d, 'schema').acceptanceCriteria[4].expectedResponse,
    instancePath: `${NODES}/0/acceptanceCriteria/4`,
    keyword: 'required',
    params: { missingProperty: 'expectedResponse' },
    only: true,
  },
  {
    name: 'acceptance criterion custom using the prose key webhook',
    fixture: 'plan',
    mutate: (d) => {
      const c = nodeOf(d, 'schema').acceptanceCriteria[4]
      c.webhook = c.webhookUrl
      delete c.webhookUrl
    },
    instancePath: `${NODES}/0/acceptanceCriteria/4`,
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'webhook' },
  },
  {
    name: 'empty expectedResponse',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'schema').acceptanceCriteria[4].expectedResponse = {}),
    instancePath: `${NODES}/0/acceptanceCriteria/4/expectedResponse`,
    keyword: 'minProperties',
  },
  {
    name: 'test_passes criterion with url',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'schema').acceptanceCriteria[2].url = 'https://example.com'),
    instancePath: `${NODES}/0/acceptanceCriteria/2`,
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'url' },
    only: true,
  },
  {
    name: 'ParameterDefinition type integer',
    fixture: 'capability',
    mutate: (d) => (d.spec.inputs[0].type = 'integer'),
    instancePath: '/spec/inputs/0/type',
    keyword: 'enum',
    only: true,
  },
  {
    name: 'ParameterDefinition format on a number',
    fixture: 'capability',
    mutate: (d) => (d.spec.inputs[4].objectProperties.indent.format = 'uri'),
    instancePath: '/spec/inputs/4/objectProperties/indent/format',
    keyword: 'false schema',
  },
  {
    name: 'ParameterDefinition itemType on a string',
    fixture: 'capability',
    mutate: (d) => (d.spec.inputs[0].itemType = 'string'),
    instancePath: '/spec/inputs/0/itemType',
    keyword: 'false schema',
  },
  {
    name: 'ParameterDefinition objectProperties on an array',
    fixture: 'capability',
    mutate: (d) => (d.spec.inputs[3].objectProperties = {}),
    instancePath: '/spec/inputs/3/objectProperties',
    keyword: 'false schema',
  },
  {
    name: 'ParameterDefinition with the prose key properties',
    fixture: 'capability',
    mutate: (d) => (d.spec.inputs[4].properties = {}),
    instancePath: '/spec/inputs/4',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'properties' },
  },
  {
    name: 'requirement with the legacy key capability',
    fixture: 'capability',
    mutate: (d) => (d.spec.requirements[0] = { capability: 'code-analysis' }),
    instancePath: '/spec/requirements/0',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'capability' },
  },
  {
    name: 'Deprecated capability without replacement or message',
    fixture: 'capability',
    mutate: (d) => {
      delete d.status.replacement
      delete d.status.deprecationMessage
    },
    instancePath: '/status',
    keyword: 'anyOf',
  },
  {
    name: 'Binding selector with nodeId but no planRef',
    fixture: 'binding',
    mutate: (d) => (d.spec.rules[0].selector = { nodeId: 'schema' }),
    instancePath: '/spec/rules/0/selector',
    keyword: 'oneOf',
  },
  {
    name: 'Binding selector with capabilityRef and nodeId',
    fixture: 'binding',
    mutate: (d) => (d.spec.rules[2].selector.nodeId = 'schema'),
    instancePath: '/spec/rules/2/selector',
    keyword: 'oneOf',
  },
  {
    name: 'empty Binding selector',
    fixture: 'binding',
    mutate: (d) => (d.spec.rules[2].selector = {}),
    instancePath: '/spec/rules/2/selector',
    keyword: 'oneOf',
  },
  {
    name: 'Binding without rules',
    fixture: 'binding',
    mutate: (d) => (d.spec.rules = []),
    instancePath: '/spec/rules',
    keyword: 'minItems',
    only: true,
  },
  {
    name: 'Gate status Approved without resolution',
    fixture: 'gate',
    mutate: (d) => {
      delete d.status.resolution
      delete d.status.decidedGeneration
    },
    instancePath: '/status',
    keyword: 'required',
    params: { missingProperty: 'resolution' },
  },
  {
    name: 'Gate resolution without decidedGeneration',
    fixture: 'gate',
    mutate: (d) => delete d.status.decidedGeneration,
    instancePath: '/status',
    keyword: 'required',
    params: { missingProperty: 'decidedGeneration' },
  },
  {
    name: 'Gate decidedGeneration without resolution',
    fixture: 'gate',
    mutate: (d) => {
      d.status.phase = 'Waiting'
      delete d.status.resolution
    },
    instancePath: '/status',
    keyword: 'required',
    params: { missingProperty: 'resolution' },
  },
  {
    name: 'outcome approved with phase Rejected',
    fixture: 'gate',
    mutate: (d) => (d.status.phase = 'Rejected'),
    instancePath: '/status/phase',
    keyword: 'const',
    params: { allowedValue: 'Approved' },
    only: true,
  },
  {
    name: 'Gate spec with timeout',
    fixture: 'gate',
    mutate: (d) => (d.spec.timeout = '24h'),
    instancePath: '/spec',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'timeout' },
    only: true,
  },
  {
    name: 'supersedes with 2 items',
    fixture: 'plan',
    mutate: (d) => d.spec.supersedes.push({ name: 'billing-export-v1' }),
    instancePath: '/spec/supersedes',
    keyword: 'maxItems',
    only: true,
  },
  {
    name: 'series without version',
    fixture: 'plan',
    mutate: (d) => delete d.spec.version,
    instancePath: '/spec',
    keyword: 'dependentRequired',
    params: { property: 'series', missingProperty: 'version' },
    only: true,
  },
  {
    name: 'LabelSelectorRequirement Exists with values',
    fixture: 'goal',
    mutate: (d) => (d.spec.planSelector.matchExpressions[1] = { key: 'team', operator: 'Exists', values: ['x'] }),
    instancePath: '/spec/planSelector/matchExpressions/1/values',
    keyword: 'false schema',
    only: true,
  },
  {
    name: 'LabelSelectorRequirement In without values',
    fixture: 'goal',
    mutate: (d) => delete d.spec.planSelector.matchExpressions[0].values,
    instancePath: '/spec/planSelector/matchExpressions/0',
    keyword: 'required',
    params: { missingProperty: 'values' },
  },
  {
    name: 'LabelSelectorRequirement NotIn with empty values',
    fixture: 'goal',
    mutate: (d) => (d.spec.planSelector.matchExpressions[0] = { key: 'team', operator: 'NotIn', values: [] }),
    instancePath: '/spec/planSelector/matchExpressions/0/values',
    keyword: 'minItems',
  },
  {
    name: 'unquoted numeric label value',
    fixture: 'plan',
    mutate: (d) => (d.metadata.labels['planspec.io/version'] = 3),
    instancePath: '/metadata/labels/planspec.io~1version',
    keyword: 'type',
    only: true,
  },
  {
    name: '1001 nodes',
    fixture: 'plan',
    mutate: (d) => {
      d.spec.graph = { nodes: Array.from({ length: 1001 }, (_, i) => ({ id: `n${i}`, kind: 'Task' })) }
    },
    instancePath: '/spec/graph/nodes',
    keyword: 'maxItems',
    only: true,
  },
  {
    name: 'empty graph',
    fixture: 'plan',
    mutate: (d) => (d.spec.graph = { nodes: [] }),
    instancePath: '/spec/graph/nodes',
    keyword: 'minItems',
    only: true,
  },
  {
    name: 'retries 11',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'schema').retries = 11),
    instancePath: `${NODES}/0/retries`,
    keyword: 'maximum',
    only: true,
  },
  {
    name: 'one bad value deep inside a Task node is reported once',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'schema').acceptanceCriteria[1].path = ''),
    instancePath: `${NODES}/0/acceptanceCriteria/1/path`,
    keyword: 'minLength',
    only: true,
  },
  {
    name: 'output name with a hyphen',
    fixture: 'plan',
    mutate: (d) => (nodeOf(d, 'schema').outputs = ['migration-file']),
    instancePath: `${NODES}/0/outputs/0`,
    keyword: 'pattern',
    only: true,
  },
  {
    name: 'edge with an unknown key',
    fixture: 'plan',
    mutate: (d) => (d.spec.graph.edges[0].weight = 2),
    instancePath: '/spec/graph/edges/0',
    keyword: 'additionalProperties',
    only: true,
  },
  {
    name: 'uri-list context item with content',
    fixture: 'goal',
    mutate: (d) => (d.spec.context[4].content = 'x'),
    instancePath: '/spec/context/4',
    keyword: 'unevaluatedProperties',
    params: { unevaluatedProperty: 'content' },
    only: true,
  },
  {
    name: 'markdown context item with non-string content',
    fixture: 'goal',
    mutate: (d) => (d.spec.context[0].content = { a: 1 }),
    instancePath: '/spec/context/0/content',
    keyword: 'type',
  },
  {
    name: 'nodeBindings key that is not a node id',
    fixture: 'execution',
    mutate: (d) => (d.spec.nodeBindings.Bad_Node = { name: 'x' }),
    instancePath: '/spec/nodeBindings',
    keyword: 'propertyNames',
  },
  {
    name: 'url artifact without url',
    fixture: 'execution',
    mutate: (d) => delete d.status.artifacts[2].url,
    instancePath: '/status/artifacts/2',
    keyword: 'required',
    params: { missingProperty: 'url' },
  },
  {
    name: 'NodeStatus with a negative attempt',
    fixture: 'execution',
    mutate: (d) => (d.status.nodeStatuses.writer.attempt = -1),
    instancePath: '/status/nodeStatuses/writer/attempt',
    keyword: 'minimum',
    only: true,
  },
  {
    name: 'wrong apiVersion',
    fixture: 'execution',
    mutate: (d) => (d.apiVersion = 'planspec.io/v1'),
    instancePath: '/apiVersion',
    keyword: 'const',
    only: true,
  },
  {
    name: 'nested List',
    fixture: 'goal',
    as: 'List',
    mutate: (d) => {
      const goal = { ...d }
      for (const k of Object.keys(d)) delete d[k]
      Object.assign(d, {
        apiVersion: 'planspec.io/v1alpha1',
        kind: 'List',
        items: [goal, { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: [] }],
      })
    },
    instancePath: '/items/1/kind',
    keyword: 'enum',
    only: true,
  },
  {
    name: 'invalid item inside a List',
    fixture: 'goal',
    as: 'List',
    mutate: (d) => {
      const goal = { ...d, spec: { ...d.spec, priority: 5000 } }
      for (const k of Object.keys(d)) delete d[k]
      Object.assign(d, { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: [goal] })
    },
    instancePath: '/items/0/spec/priority',
    keyword: 'maximum',
  },
  {
    name: 'ClusterRoleBinding granting a Role',
    fixture: 'cluster-role-binding',
    mutate: (d) => (d.roleRef.kind = 'Role'),
    instancePath: '/roleRef/kind',
    keyword: 'enum',
    only: true,
  },
  {
    name: 'ClusterRole with a namespace',
    fixture: 'cluster-role',
    mutate: (d) => (d.metadata.namespace = 'finance'),
    instancePath: '/metadata',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'namespace' },
    only: true,
  },
  {
    name: 'Role rule with an unknown verb',
    fixture: 'role',
    mutate: (d) => d.rules[0].verbs.push('patch'),
    instancePath: '/rules/0/verbs/6',
    keyword: 'enum',
    only: true,
  },
  {
    name: 'RoleBinding without subjects',
    fixture: 'role-binding',
    mutate: (d) => (d.subjects = []),
    instancePath: '/subjects',
    keyword: 'minItems',
    only: true,
  },
  {
    name: 'repository config with an unknown key',
    fixture: 'repository-config',
    as: 'RepositoryConfig',
    mutate: (d) => (d.include = ['**/*.yaml']),
    instancePath: '',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'include' },
    only: true,
  },
  {
    name: 'repository context with an unknown key',
    fixture: 'repository-config',
    as: 'RepositoryConfig',
    mutate: (d) => (d.contexts.prod.token = 'secret'),
    instancePath: '/contexts/prod',
    keyword: 'additionalProperties',
    only: true,
  },
]

describe('invalid documents', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const doc = fixture(c.fixture)
    c.mutate(doc)
    const errors = errorsOf(doc, c.as)
    const match = errors.find(
      (e) =>
        e.instancePath === c.instancePath &&
        e.keyword === c.keyword &&
        Object.entries(c.params ?? {}).every(([k, v]) => (e.params as Record<string, unknown>)[k] === v),
    )
    expect(match, `expected ${c.instancePath || '/'} ${c.keyword} among:\n${summarize(errors)}`).toBeDefined()
    if (c.only) expect(errors.filter((e) => e.keyword !== 'if'), summarize(errors)).toHaveLength(1)
  })
})
