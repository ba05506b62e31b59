import { blockingFailures, runAcceptanceCriteria, type AcceptanceCriterion } from '@planspec/engine'
import { readAll, workItems, type WorkItem } from '../run-context.js'
import { MCP_ERRORS, ToolError } from '../tool-error.js'
import type { ToolContext, ToolDefinition } from '../types.js'
import { kindRef, withResourceDefs } from '../tool-schemas.js'
import { refusedError, text, WORK_TARGET } from './outcome.js'

const WORK_ITEM = {
  type: 'object',
  required: ['namespace', 'execution', 'node', 'provider', 'assignees', 'inputs', 'outputs', 'acceptanceCriteria', 'eligible'],
  properties: {
    namespace: { type: 'string' },
    execution: { type: 'string' },
    node: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    provider: { type: 'string', description: 'agent://NAME or human://QUEUE' },
    assignees: { type: 'array', items: { type: 'string' }, description: 'Who may claim and complete it.' },
    inputs: { type: 'object', description: "The node's inputs, ${{ }} templates resolved against the run so far." },
    inputsProblem: { type: 'string' },
    outputs: { type: 'array', items: { type: 'string' }, description: 'The outputs complete_work must give.' },
    acceptanceCriteria: { type: 'array', items: kindRef('Plan_taskAcceptanceCriterion'), description: 'Checked where the work was done before the completion is recorded.' },
    context: { type: 'array' },
    since: { type: 'string' },
    claimedBy: { type: 'string', description: 'Who holds the claim, when someone does.' },
    eligible: { type: 'boolean', description: 'Whether this identity may claim and complete it.' },
  },
}

const CRITERION_RESULT = { type: 'object', required: ['id', 'type', 'required', 'passed', 'message'], properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' }, required: { type: 'boolean' }, passed: { type: 'boolean' }, reason: { type: 'string' }, message: { type: 'string' } } }

/** `list_work`: the nodes waiting for a worker that this identity may take. */
export const listWork: ToolDefinition = {
  name: 'list_work',
  title: 'List claimable work',
  description: 'Lists nodes of running Executions that wait for a worker (targets agent://NAME, or human://QUEUE where you are eligible): their description, resolved inputs, the outputs a completion must give, acceptance criteria, and who holds a claim. Claim one with claim_work before working on it.',
  inputSchema: { type: 'object', properties: { namespace: WORK_TARGET.namespace, all: { type: 'boolean', description: 'Also list work this identity is not eligible for.' } }, additionalProperties: false },
  outputSchema: withResourceDefs({ type: 'object', required: ['identity', 'items'], properties: { identity: { type: 'string' }, items: { type: 'array', items: WORK_ITEM } } }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const identity = (await context.deps.client.whoami()).subject
    const all = await readAll(context.deps.client, text(args, 'namespace'))
    const items = workItems(all, identity)
      .filter((item) => args.all === true || item.eligible)
      .slice(0, context.limits.maxItems)
      .map((item) => withClaim(item, all.find((r) => r.kind === 'Execution' && r.namespace === item.namespace && r.name === item.execution)?.claims?.[item.node]))
    return { identity, items }
  },
}

/** `claim_work`: hold a node so no other worker takes it (the first claim that counts wins). */
export const claimWork: ToolDefinition = {
  name: 'claim_work',
  title: 'Claim a node',
  description: 'Claims a node waiting for a worker, so that no other worker takes it: the first claim that counts holds the node, and a claim made after it is refused AlreadyClaimed. Claim before you start the work.',
  inputSchema: { type: 'object', required: ['execution', 'node'], properties: { ...WORK_TARGET }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['claimed', 'namespace', 'execution', 'node', 'holder'], properties: { claimed: { const: true }, namespace: { type: 'string' }, execution: { type: 'string' }, node: { type: 'string' }, holder: { type: 'string' }, request: { type: 'string' } } },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const identity = (await context.deps.client.whoami()).subject
    const target = workTarget(args)
    const outcome = await context.deps.client.request('claim', target, { via: context.via })
    if (outcome.status === 'refused') throw refusedError(outcome)
    if (outcome.status === 'dry-run') throw new ToolError(MCP_ERRORS.refused, 'DryRun', 'nothing was recorded')
    return { claimed: true, namespace: outcome.namespace, execution: target.name, node: target.node, holder: identity, request: outcome.id }
  },
}

/** `complete_work`: record the work as done, after checking it gives what the node declares. */
export const completeWork: ToolDefinition = {
  name: 'complete_work',
  title: 'Complete a node',
  description: "Records a node's work as done with its outputs. Before anything is recorded, the completion is checked: every output the node declares must be given (MissingOutputs), and the node's acceptance criteria must pass where you did the work (AcceptanceFailed, with each criterion's result). The run then goes on.",
  inputSchema: { type: 'object', required: ['execution', 'node', 'outputs'], properties: { ...WORK_TARGET, outputs: { type: 'object', description: 'The outputs, by name (every declared one).', maxProperties: 100 }, notes: { type: 'string', maxLength: 4096, description: 'What was done, for the people reading the run.' } }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['completed', 'namespace', 'execution', 'node', 'acceptance'], properties: { completed: { const: true }, namespace: { type: 'string' }, execution: { type: 'string' }, node: { type: 'string' }, request: { type: 'string' }, acceptance: { type: 'array', items: CRITERION_RESULT } } },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, context) {
    const target = workTarget(args)
    const outputs = args.outputs as Record<string, unknown>
    const item = await findWork(target, context)
    const missing = item.outputs.filter((name) => outputs[name] === undefined || outputs[name] === null)
    if (missing.length > 0) throw new ToolError(MCP_ERRORS.refused, 'MissingOutputs', `the node declares outputs that are missing: ${missing.join(', ')} (declared: ${item.outputs.join(', ')})`, { missing })
    const results = await runAcceptanceCriteria(item.acceptanceCriteria as unknown as AcceptanceCriterion[], { workspace: context.deps.acceptance.workspace, policy: context.deps.acceptance.policy, signal: context.signal, ...(context.deps.secrets ? { secrets: context.deps.secrets } : {}) })
    const failed = blockingFailures(results)
    if (failed.length > 0) throw new ToolError(MCP_ERRORS.refused, 'AcceptanceFailed', `acceptance criteria failed, nothing was recorded: ${failed.map((f) => `${f.name ?? f.id}: ${f.message}`).join('; ')}`, { acceptance: results })
    const outcome = await context.deps.client.request('complete', { ...target, outputs }, { via: context.via, ...(text(args, 'notes') ? { comment: text(args, 'notes')! } : {}) })
    if (outcome.status === 'refused') throw refusedError(outcome)
    return { completed: true, namespace: item.namespace, execution: item.execution, node: item.node, ...(outcome.status === 'recorded' ? { request: outcome.id } : {}), acceptance: results }
  },
}

/** `fail_work`: record that the work cannot be done (the node fails with the message). */
export const failWork: ToolDefinition = {
  name: 'fail_work',
  title: 'Fail a node',
  description: 'Records that the work of a node cannot be done: the node fails with your message (and retries if the plan allows). Use it instead of completing with made-up outputs.',
  inputSchema: { type: 'object', required: ['execution', 'node', 'message'], properties: { ...WORK_TARGET, message: { type: 'string', minLength: 1, maxLength: 4096, description: 'Why it failed.' } }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['failed', 'namespace', 'execution', 'node'], properties: { failed: { const: true }, namespace: { type: 'string' }, execution: { type: 'string' }, node: { type: 'string' }, request: { type: 'string' } } },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, context) {
    const target = workTarget(args)
    const outcome = await context.deps.client.request('complete', { ...target, failed: true }, { via: context.via, comment: text(args, 'message')! })
    if (outcome.status === 'refused') throw refusedError(outcome)
    return { failed: true, namespace: outcome.status === 'recorded' ? outcome.namespace : '', execution: target.name, node: target.node, ...(outcome.status === 'recorded' ? { request: outcome.id } : {}) }
  },
}

function workTarget(args: Record<string, unknown>): { kind: 'Execution'; name: string; node: string; namespace?: string } {
  const namespace = text(args, 'namespace')
  return { kind: 'Execution', name: text(args, 'execution')!, node: text(args, 'node')!, ...(namespace === undefined ? {} : { namespace }) }
}

/** The work item a completion is about; refused `NotWaiting` when the node does not wait for a worker. */
async function findWork(target: { name: string; node: string; namespace?: string }, context: ToolContext): Promise<WorkItem> {
  const identity = (await context.deps.client.whoami()).subject
  const items = workItems(await readAll(context.deps.client, target.namespace), identity).filter((item) => item.execution === target.name && item.node === target.node)
  if (items.length > 1) throw new ToolError(MCP_ERRORS.invalidInput, 'Ambiguous', `execution "${target.name}" exists in several namespaces (${items.map((i) => i.namespace).join(', ')}); name one`)
  if (items.length === 0) throw new ToolError(MCP_ERRORS.refused, 'NotWaiting', `node ${target.node} of execution "${target.name}" does not wait for a worker`)
  return items[0]!
}

function withClaim(item: WorkItem, holder: string | undefined): WorkItem & { claimedBy?: string } {
  return holder === undefined ? item : { ...item, claimedBy: holder }
}
