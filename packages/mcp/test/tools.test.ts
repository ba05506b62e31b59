import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentRepository, call, connect } from './support.js'

// The tools through the SDK's own client (which validates every structured result against the
// tool's output schema), over a real git repository.
const CANARY = 'planspec-canary-secret-7c1f0e'
let repository: Awaited<ReturnType<typeof agentRepository>>
let session: Awaited<ReturnType<typeof connect>>

beforeAll(async () => {
  const binding = `apiVersion: planspec.io/v1alpha1\nkind: Binding\nmetadata: { name: leaky }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: docs-publishing } }\n      target: { provider: "https://publish.example.com/hook", config: { headers: { x-token: ${CANARY} } } }\n`
  repository = await agentRepository({ 'planspec/bindings/leaky.yaml': binding })
  session = await connect(repository, { secrets: [CANARY] })
}, 120_000)
afterAll(async () => {
  await session?.close()
  repository?.cleanup()
})

describe('the PlanSpec MCP tools', () => {
  it('declares self-contained input and output schemas (derived from schemas/) that the SDK client compiles', async () => {
    const { tools } = await session.client.listTools()
    expect(tools.map((t) => t.name)).toEqual(['whoami', 'list_work', 'claim_work', 'complete_work', 'fail_work', 'validate', 'explain', 'simulate', 'get', 'describe', 'why_blocked', 'propose_plan', 'request_approval', 'review_gate'])
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe('object')
      expect(tool.outputSchema?.type, tool.name).toBe('object')
      expect(JSON.stringify(tool.inputSchema) + JSON.stringify(tool.outputSchema), tool.name).not.toContain('https://planspec.io/schemas')
    }
    const propose = tools.find((t) => t.name === 'propose_plan')!
    expect(propose.inputSchema).toMatchObject({ properties: { plan: { $ref: '#/$defs/Plan' } }, $defs: { Plan: expect.objectContaining({ title: 'Plan' }), Plan_taskNode: expect.any(Object) } })
    expect(propose.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false })
  })

  it('answers every failure as a coded tool result: unknown tools, schema violations, oversized and too deeply nested arguments', async () => {
    expect(await call(session.client, 'rm_rf')).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_UNKNOWN_TOOL', reason: 'UnknownTool' } })
    expect(await call(session.client, 'claim_work', { execution: 'api-reference-2025-10' })).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_INVALID_INPUT', reason: 'InvalidArguments', message: expect.stringContaining("required property 'node'") } })
    expect(await call(session.client, 'validate', { manifests: 'x'.repeat(1024 * 1024 + 10) })).toMatchObject({ ok: false, error: { reason: 'TooLarge' } })
    let deep: unknown = 'leaf'
    for (let i = 0; i < 100; i++) deep = { next: deep }
    expect(await call(session.client, 'complete_work', { execution: 'e', node: 'n', outputs: deep as Record<string, unknown> })).toMatchObject({ ok: false, error: { reason: 'TooDeep' } })
    expect(await call(session.client, 'get', { kind: 'widgets' })).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_INVALID_INPUT', reason: 'BadTarget' } })
    expect(await call(session.client, 'describe', { kind: 'plan', name: 'no-such-plan' })).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_NOT_FOUND' } })
    expect(session.audit.filter((e) => e.outcome !== 'ok').map((e) => e.tool)).toEqual(['rm_rf', 'claim_work', 'validate', 'complete_work', 'get', 'describe'])
    expect(session.audit.every((e) => e.via === 'mcp:unit-test/2.0.0')).toBe(true)
  })

  it('masks known secret values in everything it returns: results, descriptions and resources', async () => {
    const got = await call(session.client, 'get', { kind: 'binding', name: 'leaky' })
    expect(JSON.stringify(got)).not.toContain(CANARY)
    expect(got).toMatchObject({ ok: true, value: { items: [{ spec: { rules: [{ target: { config: { headers: { 'x-token': '[REDACTED]' } } } }] } }] } })
    const described = await call(session.client, 'describe', { kind: 'binding', name: 'leaky' })
    expect(JSON.stringify(described)).not.toContain(CANARY)
    expect((described as unknown as { value: { text: string } }).value.text).toContain('[REDACTED]')
    const validated = await call(session.client, 'validate', { manifests: `apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: { name: g }\nspec: { description: "token ${CANARY}" }\n` })
    expect(JSON.stringify(validated)).not.toContain(CANARY)
  })

  it('validates text with positions and fixes, explains fields and codes, and simulates a run with a drafted Execution', async () => {
    const legacy = 'apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata: { name: p }\nspec:\n  description: d\n  graph:\n    nodes:\n      - { id: a, kind: Task, capabilityRef: { name: technical-writing } }\n'
    const checked = await call(session.client, 'validate', { manifests: legacy, compat: true })
    expect(checked).toMatchObject({ ok: true, value: { valid: true } })
    expect((checked as unknown as { value: { diagnostics: unknown[] } }).value.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'PS5001', severity: 'warning', line: 8, column: 30, fix: expect.objectContaining({ edits: expect.arrayContaining([expect.objectContaining({ op: 'rename', to: 'capabilityRefs' })]) }) })]))
    expect(await call(session.client, 'explain', { target: 'plan.spec.graph.nodes' })).toMatchObject({ ok: true, value: { text: expect.stringContaining('KIND:     Plan') } })
    expect(await call(session.client, 'explain', { target: 'PS3003' })).toMatchObject({ ok: true })
    expect(await call(session.client, 'explain', { target: 'plan.nope' })).toMatchObject({ ok: false, error: { reason: 'UnknownTarget' } })
    const execution = 'apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: { name: trial }\nspec: { goalRef: { name: api-reference }, planRef: { name: api-reference-v1 }, bindingRef: { name: docs-agents } }\n'
    const simulated = await call(session.client, 'simulate', { execution: 'trial', manifests: execution })
    expect(simulated).toMatchObject({ ok: true, value: { execution: 'trial', plan: 'api-reference-v1', order: ['draft', 'publish'], criticalPath: { nodes: ['draft', 'editor-review', 'publish'] }, gates: [expect.objectContaining({ gate: 'api-reference-review' })] } })
    expect(await call(session.client, 'simulate', { execution: 'trial', manifests: 'kind: [' })).toMatchObject({ ok: false, error: { code: 'PLANSPEC_ERR_MCP_INVALID_MANIFESTS' } })
  })

  it('serves the schemas, plans and executions as resources, and a prompt that drafts a plan for a goal', async () => {
    const { resources } = await session.client.listResources()
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['planspec://schemas/Plan', 'planspec://plans/default/api-reference-v1', 'planspec://executions/default/api-reference-2025-10']))
    const plan = await session.client.readResource({ uri: 'planspec://plans/default/api-reference-v1' })
    expect(JSON.parse((plan.contents[0] as { text: string }).text)).toMatchObject({ kind: 'Plan', metadata: { name: 'api-reference-v1' } })
    await expect(session.client.readResource({ uri: 'planspec://plans/default/nope' })).rejects.toThrow(/no resource/)
    const { resourceTemplates } = await session.client.listResourceTemplates()
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['planspec://plans/{namespace}/{name}', 'planspec://executions/{namespace}/{name}'])
    const prompt = await session.client.getPrompt({ name: 'draft_plan', arguments: { goal: 'api-reference' } })
    expect((prompt.messages[0]!.content as { text: string }).text).toMatch(/technical-writing/)
    await expect(session.client.getPrompt({ name: 'draft_plan', arguments: { goal: 'nope' } })).rejects.toThrow(/not found/)
  })
})
