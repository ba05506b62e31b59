import { describeResource, type ResourceView } from '@planspec/client'
import { readAll } from '../run-context.js'
import { MCP_ERRORS, ToolError } from '../tool-error.js'
import { anyResource, withResourceDefs } from '../tool-schemas.js'
import type { ToolContext, ToolDefinition } from '../types.js'
import { whyBlocked } from '../why-blocked.js'
import { text } from './outcome.js'

const KIND = { type: 'string', minLength: 1, maxLength: 32, description: 'executions, plans, goals, gates, capabilities or bindings (singular, plural or short: ex, cap).' }
const NAME = { type: 'string', minLength: 1, maxLength: 63 }
const NAMESPACE = { type: 'string', minLength: 1, maxLength: 63, description: 'The namespace (default: every namespace a name matches).' }

/** The resource as the API would return it: the manifest with its status. */
export function resourceObject(view: ResourceView): Record<string, unknown> {
  return { ...view.object, ...(view.status === undefined ? {} : { status: view.status }) }
}

/** Reads one resource or answers `PLANSPEC_ERR_MCP_NOT_FOUND`. */
export async function requireResource(context: ToolContext, kind: string, name: string, namespace: string | undefined): Promise<ResourceView> {
  let found: ResourceView | undefined
  try {
    found = await context.deps.client.get(kind, name, namespace)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'PLANSPEC_ERR_CLIENT_USAGE' || code === 'PLANSPEC_ERR_CLIENT_REFUSED') throw new ToolError(MCP_ERRORS.invalidInput, 'BadTarget', (error as Error).message)
    throw error
  }
  if (found === undefined) throw new ToolError(MCP_ERRORS.notFound, 'NotFound', `${kind} "${name}" not found${namespace ? ` in namespace "${namespace}"` : ''}`)
  return found
}

/** `whoami`: the identity this server acts as, and where. */
export const whoami: ToolDefinition = {
  name: 'whoami',
  title: 'Who am I',
  description: 'Says which identity this server acts as (the principal its signing key is listed under, or its token\'s user), in which mode and against which repository or server. Only a svc: identity that a Gate names as reviewer may decide that Gate.',
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  outputSchema: { type: 'object', required: ['subject', 'source', 'mode', 'target', 'client'], properties: { subject: { type: 'string' }, source: { type: 'string' }, mode: { enum: ['git', 'server'] }, target: { type: 'string' }, client: { type: 'string' } } },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(_args, context) {
    const identity = await context.deps.client.whoami()
    return { ...identity, mode: context.deps.client.mode, target: context.deps.client.target, client: context.via }
  },
}

/** `get`: resources with their status. */
export const get: ToolDefinition = {
  name: 'get',
  title: 'Get resources',
  description: 'Reads resources with the status the controllers wrote: one by name, or every one of a kind (in a namespace, or all). The objects follow the PlanSpec schemas.',
  inputSchema: { type: 'object', required: ['kind'], properties: { kind: KIND, name: NAME, namespace: NAMESPACE }, additionalProperties: false },
  outputSchema: withResourceDefs({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: anyResource() } } }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const kind = text(args, 'kind')!
    const name = text(args, 'name')
    const namespace = text(args, 'namespace')
    if (name !== undefined) return { items: [resourceObject(await requireResource(context, kind, name, namespace))] }
    try {
      const found = await context.deps.client.list(kind, namespace === undefined ? {} : { namespace })
      return { items: found.slice(0, context.limits.maxItems).map(resourceObject) }
    } catch (error) {
      if ((error as { code?: string }).code === 'PLANSPEC_ERR_CLIENT_USAGE') throw new ToolError(MCP_ERRORS.invalidInput, 'BadTarget', (error as Error).message)
      throw error
    }
  },
}

/** `describe`: one resource in detail, as `planspec describe` prints it. */
export const describe: ToolDefinition = {
  name: 'describe',
  title: 'Describe a resource',
  description: "Shows one resource in detail, as `planspec describe` does: status and conditions, an Execution's node table and why its Gate nodes wait, a Gate's decision per Execution and its review history (each action counted or refused, with who, from which client and why), the requests refused on it, and the spec.",
  inputSchema: { type: 'object', required: ['kind', 'name'], properties: { kind: KIND, name: NAME, namespace: NAMESPACE }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const view = await requireResource(context, text(args, 'kind')!, text(args, 'name')!, text(args, 'namespace'))
    return { text: describeResource(view, Date.now()) }
  },
}

/** `why_blocked`: the chain down to the missing worker, approver or external. */
export const whyBlockedTool: ToolDefinition = {
  name: 'why_blocked',
  title: 'Why is it waiting?',
  description: 'Explains why an Execution (or a Gate, Goal, ...) does not move on: each node waiting for a worker and who may claim it, each Gate waiting for a decision for this run and who may approve it (and what the Gate node observes), externals, and failing conditions.',
  inputSchema: { type: 'object', required: ['name'], properties: { kind: { ...KIND, default: 'execution' }, name: NAME, namespace: NAMESPACE }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['subject', 'phase', 'blocked', 'reasons'], properties: { subject: { type: 'string' }, phase: { type: 'string' }, blocked: { type: 'boolean' }, reasons: { type: 'array', items: { type: 'object', required: ['reason', 'message'], properties: { node: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' }, waitingFor: { type: 'array', items: { type: 'string' } } } } } } },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const view = await requireResource(context, text(args, 'kind') ?? 'execution', text(args, 'name')!, text(args, 'namespace'))
    return { ...whyBlocked(view, await readAll(context.deps.client)) }
  },
}
