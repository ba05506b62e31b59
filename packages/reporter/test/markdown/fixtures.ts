import { diffResources, type ReviewResourceLike, type SemanticDiff } from '@planspec/core'
import type { SimulationReportLike } from '../../src/markdown/markdown-types.js'

/** A resource as the validator returns it. */
export function resource(kind: string, name: string, spec: unknown, extra: { namespace?: string; file?: string; labels?: Record<string, string> } = {}): ReviewResourceLike {
  const namespace = extra.namespace ?? 'default'
  return { kind, name, namespace, value: { apiVersion: 'planspec.io/v1alpha1', kind, metadata: { name, namespace, ...(extra.labels ? { labels: extra.labels } : {}) }, spec }, ...(extra.file ? { file: extra.file } : {}) }
}

/** A Plan with nodes (and edges). */
export function plan(name: string, nodes: unknown[], edges: unknown[] = [], extra: { namespace?: string; file?: string } = {}): ReviewResourceLike {
  return resource('Plan', name, { description: name, graph: { nodes, edges } }, { file: `plans/${name}.yaml`, ...extra })
}

const baseResources: ReviewResourceLike[] = [
  resource('Goal', 'weekly-changelog', { description: 'Publish a changelog' }, { file: 'goals/weekly-changelog.yaml' }),
  plan('publish-changelog', [
    { id: 'collect', kind: 'Task', name: 'Collect merged pull requests', capabilityRefs: [{ name: 'changelog' }] },
    { id: 'draft', kind: 'Task', name: 'Draft the changelog', dependsOn: ['collect'], capabilityRefs: [{ name: 'changelog' }] },
    { id: 'editor-approval', kind: 'Gate', dependsOn: ['draft'], gateRef: { name: 'changelog-approval' } },
    { id: 'publish', kind: 'Task', dependsOn: ['editor-approval'], capabilityRefs: [{ name: 'changelog' }] },
    { id: 'tweet', kind: 'Task', dependsOn: ['publish'] },
  ]),
  resource('Binding', 'changelog-providers', { rules: [{ selector: { capabilityRef: { name: 'changelog' } }, target: { provider: 'noop://changelog' } }, { selector: { planRef: { name: 'publish-changelog' } }, target: { provider: 'noop://other' } }] }, { file: 'bindings/providers.yaml' }),
  resource('Gate', 'changelog-approval', { gateType: 'approval', targetRef: { kind: 'Execution', name: 'changelog-w10' }, reviewers: ['team:acme/editors'] }, { file: 'gates/approval.yaml' }),
  resource('Execution', 'changelog-w10', { planRef: { name: 'publish-changelog' }, bindingRef: { name: 'changelog-providers' } }, { file: 'executions/w10.yaml' }),
]

const headResources: ReviewResourceLike[] = [
  resource('Goal', 'weekly-changelog', { description: 'Publish a changelog' }, { file: 'goals/weekly-changelog.yaml' }),
  plan('publish-changelog', [
    { id: 'collect', kind: 'Task', name: 'Collect merged pull requests', capabilityRefs: [{ name: 'changelog' }] },
    { id: 'draft', kind: 'Task', name: 'Draft the changelog', description: 'Group by area', dependsOn: ['collect'], capabilityRefs: [{ name: 'changelog' }] },
    { id: 'lint', kind: 'Task', name: 'Lint the draft', dependsOn: ['draft'], capabilityRefs: [{ name: 'changelog' }] },
    { id: 'editor-approval', kind: 'Gate', dependsOn: ['lint'], gateRef: { name: 'changelog-approval' } },
    { id: 'publish', kind: 'Task', dependsOn: ['editor-approval'], capabilityRefs: [{ name: 'changelog' }] },
  ], [{ from: 'collect', to: 'publish', type: 'soft' }]),
  resource('Binding', 'changelog-providers', { rules: [{ selector: { capabilityRef: { name: 'changelog' } }, target: { provider: 'agent://writer' } }, { selector: { planRef: { name: 'publish-changelog' } }, target: { provider: 'noop://other' } }] }, { file: 'bindings/providers.yaml' }),
  resource('Gate', 'changelog-approval', { gateType: 'approval', targetRef: { kind: 'Execution', name: 'changelog-w10' }, reviewers: ['team:acme/editors', 'user:octocat'], requiredApprovers: 2 }, { file: 'gates/approval.yaml' }),
  resource('Execution', 'changelog-w10', { planRef: { name: 'publish-changelog' }, bindingRef: { name: 'changelog-providers' } }, { file: 'executions/w10.yaml' }),
  resource('Capability', 'changelog', { description: 'Changelog automation' }, { file: 'capabilities/changelog.yaml' }),
]

/** The minimal example, changed: a node added and one removed, a provider and a Gate changed. */
export const changelogDiff: SemanticDiff = diffResources(baseResources, headResources)

/** The simulation of the changed Execution, as `simulateRun` reports it. */
export const changelogSimulation: SimulationReportLike = {
  execution: 'changelog-w10',
  plan: 'publish-changelog',
  layers: [['collect'], ['draft'], ['lint'], ['editor-approval'], ['publish']],
  order: ['collect', 'draft', 'lint', 'publish'],
  nodes: [
    { id: 'collect', kind: 'Task', provider: 'agent://writer', layer: 1, startMs: 0, endMs: 60_000, phase: 'Succeeded' },
    { id: 'editor-approval', kind: 'Gate', layer: 4, startMs: 180_000, endMs: 180_000, phase: 'Succeeded', note: 'waits for approval' },
  ],
  criticalPath: { nodes: ['collect', 'draft', 'lint', 'editor-approval', 'publish'], durationMs: 240_000 },
  gates: [{ node: 'editor-approval', gate: 'changelog-approval', reviewers: ['team:acme/editors', 'user:octocat'], requiredApprovers: 2 }],
  problems: [],
  outcome: 'Succeeded',
}

/** A chain of `count` tasks `t0 → t1 → …`, each with a description. */
export function chainNodes(count: number, prefix = 't'): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, kind: 'Task', description: `Step ${i} of the chain`, ...(i === 0 ? {} : { dependsOn: [`${prefix}${i - 1}`] }) }))
}
