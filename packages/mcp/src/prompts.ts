import type { ResourceClient } from '@planspec/client'
import { stringify } from 'yaml'
import { MCP_ERRORS, ToolError } from './tool-error.js'

/** The prompts the server offers. */
export const PROMPTS = [
  {
    name: 'draft_plan',
    title: 'Draft a Plan for a Goal',
    description: 'Turns a Goal into a draft Plan that follows the PlanSpec schema: the Goal, the Capabilities and Bindings the repository has, the rules a valid Plan follows, and the steps to validate, simulate and propose it.',
    arguments: [
      { name: 'goal', description: 'The name of the Goal', required: true },
      { name: 'namespace', description: 'Its namespace, when the name is not unique', required: false },
    ],
  },
] as const

/**
 * Builds the `draft_plan` prompt: the Goal's manifest, the Capabilities and Bindings available,
 * the Plan schema (as an embedded resource), the rules of a valid Plan and the tool steps that
 * keep people in charge (validate, simulate, propose_plan). Throws `ToolError` when the Goal does
 * not exist.
 */
export async function draftPlanPrompt(client: ResourceClient, goalName: string, namespace: string | undefined): Promise<{ description: string; messages: unknown[] }> {
  const goal = await client.get('Goal', goalName, namespace)
  if (goal === undefined) throw new ToolError(MCP_ERRORS.notFound, 'NotFound', `goal "${goalName}" not found`)
  const capabilities = await client.list('Capability', { namespace: goal.namespace })
  const bindings = await client.list('Binding', { namespace: goal.namespace })
  const plans = await client.list('Plan', { namespace: goal.namespace })
  const text = [
    `Draft a PlanSpec Plan (apiVersion planspec.io/v1alpha1, kind Plan) that achieves the Goal "${goal.name}" in namespace "${goal.namespace}".`,
    '',
    'The Goal:',
    '```yaml',
    stringify(goal.object, { lineWidth: 0 }).trimEnd(),
    '```',
    '',
    `Capabilities in ${goal.namespace}: ${capabilities.map((c) => `${c.name} (${String((c.object.spec as { description?: string } | undefined)?.description ?? '')})`).join('; ') || 'none'}.`,
    `Bindings in ${goal.namespace}: ${bindings.map((b) => b.name).join(', ') || 'none'}. Existing plans: ${plans.map((p) => p.name).join(', ') || 'none'}.`,
    '',
    'Rules of a valid Plan (the schema is attached as planspec://schemas/Plan):',
    '- metadata.name and every node id are DNS labels (lower case, digits, "-"); spec.goalRef names the Goal; spec.description says what the plan does.',
    '- spec.graph.nodes: Task nodes (capabilityRefs to the Capabilities above, declared outputs, acceptanceCriteria), Gate nodes (gateRef to a Gate resource) where people must approve, External and Group nodes. dependsOn lists node ids; no cycles.',
    '- Work for AI agents is bound to agent://NAME targets by a Binding; people to human://QUEUE. Every output a later node reads with ${{ nodes.ID.outputs.NAME }} must be declared in that node\'s outputs.',
    '- Durations are Go style (90s, 1h30m, 168h).',
    '',
    'Then: call validate with your YAML and fix every finding (explain documents a code or a field); add an Execution that runs the plan and call simulate; finally call propose_plan. The proposal goes to people for review: nothing runs until they merge it.',
  ].join('\n')
  return {
    description: `Draft a Plan for goal ${goal.namespace}/${goal.name}`,
    messages: [
      { role: 'user', content: { type: 'text', text } },
      { role: 'user', content: { type: 'resource_link', uri: 'planspec://schemas/Plan', name: 'schema-plan', mimeType: 'application/schema+json', description: 'The JSON Schema of a Plan' } },
    ],
  }
}
