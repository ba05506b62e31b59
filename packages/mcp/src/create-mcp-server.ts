import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  McpError,
  ErrorCode,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js'
import { checkArguments, DEFAULT_MCP_LIMITS, withTimeout, type McpLimits } from './bounds.js'
import { checkInput } from './check-input.js'
import { followResources, listResources, readResource, RESOURCE_TEMPLATES } from './mcp-resources.js'
import { draftPlanPrompt, PROMPTS } from './prompts.js'
import { redactDeep } from './redact-output.js'
import { MCP_ERRORS, ToolError } from './tool-error.js'
import { TOOLS } from './tools/index.js'
import type { PlanSpecMcpDeps } from './types.js'

/** A PlanSpec MCP server (one per MCP session) and how to stop what it follows. */
export interface PlanSpecMcpServer {
  readonly server: Server
  /** Stops resource subscriptions; the transport is closed by its owner. */
  close(): Promise<void>
}

const INSTRUCTIONS = `PlanSpec keeps work plans (Goals, Plans, Executions, Gates) as YAML in git or behind an API, and runs them. You act as one identity (whoami); people stay in charge through Gates.
As a worker: list_work, claim_work (the first claim holds a node), do the work, complete_work with every declared output (acceptance criteria are checked first) or fail_work.
As a planner: explain fields, validate and simulate drafts, then propose_plan (a branch and pull request, or a dry-run preview): nothing you propose runs until people merge it.
Use why_blocked to see what a run waits on, and request_approval to tell people a Gate waits for them. You cannot approve or reject unless the Gate names your svc: identity.`

/**
 * Creates the PlanSpec MCP server over the official SDK (its low-level `Server`, so tool schemas
 * can be the JSON Schemas derived from `schemas/`): the tools (work, manifests, resources,
 * proposals and approvals), the resources (the schemas, every Plan and Execution, subscribable and
 * fed by the client's watch) and the `draft_plan` prompt. Every tool call is bounded (argument
 * size and depth, then its input schema, then a time limit), acts through the client port (the
 * same checks as the command line and the API), answers failures as coded tool results
 * (`isError`, `{ error: { code, reason, message } }`), masks secrets in everything it returns, and
 * is audited with the identity and the MCP client (`mcp:NAME/VERSION`), which also goes into every
 * request it records.
 *
 * @example
 * const { server } = createPlanSpecMcpServer({ client, validator, acceptance, version })
 * await server.connect(new StdioServerTransport())
 */
export function createPlanSpecMcpServer(deps: PlanSpecMcpDeps): PlanSpecMcpServer {
  const limits: McpLimits = { ...DEFAULT_MCP_LIMITS, ...deps.limits }
  const secrets = deps.secrets ?? []
  const server = new Server({ name: 'planspec', title: 'PlanSpec', version: deps.version }, { capabilities: { tools: {}, resources: { subscribe: true, listChanged: true }, prompts: {} }, instructions: INSTRUCTIONS })
  const subscribed = new Set<string>()
  const stop = new AbortController()
  let following: Promise<void> | undefined
  const via = (): string => viaOf(server.getClientVersion())
  let identity: string | undefined

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOLS.map((tool) => ({ name: tool.name, title: tool.title, description: tool.description, inputSchema: tool.inputSchema as never, outputSchema: tool.outputSchema as never, annotations: { title: tool.title, ...tool.annotations } })),
  }))

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const started = Date.now()
    const tool = TOOLS.find((t) => t.name === request.params.name)
    const audit = (outcome: 'ok' | 'refused' | 'error', error?: { code?: string; reason?: string }): void =>
      deps.audit?.({ tool: request.params.name.slice(0, 64), ...(identity ? { identity } : {}), via: via(), outcome, ...(error?.code ? { code: error.code } : {}), ...(error?.reason ? { reason: error.reason } : {}), ms: Date.now() - started })
    try {
      if (tool === undefined) throw new ToolError(MCP_ERRORS.unknownTool, 'UnknownTool', `no tool ${JSON.stringify(request.params.name.slice(0, 64))}; list them with tools/list`)
      const args = request.params.arguments ?? {}
      checkArguments(args, limits)
      checkInput(tool, args)
      identity ??= await deps.client.whoami().then((i) => i.subject).catch(() => undefined)
      const result = await withTimeout(limits.toolTimeoutMs, (signal) => tool.run(args, { deps, limits, via: via(), signal }), extra.signal)
      const safe = redactDeep(result, secrets)
      audit('ok')
      return { content: [{ type: 'text', text: JSON.stringify(safe) }], structuredContent: safe }
    } catch (error) {
      const coded = toToolError(error)
      audit(coded.code === MCP_ERRORS.refused || coded.code === MCP_ERRORS.notFound ? 'refused' : 'error', { code: coded.code, reason: coded.reason })
      return { isError: true, content: [{ type: 'text', text: JSON.stringify(redactDeep({ error: { code: coded.code, message: coded.message, ...coded.data, reason: coded.reason } }, secrets)) }] }
    }
  })

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await listResources(deps.client, limits.maxItems) }))
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [...RESOURCE_TEMPLATES] }))
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const found = await readResource(deps.client, request.params.uri, secrets)
    if (found === undefined) throw new McpError(ErrorCode.InvalidParams, `no resource ${request.params.uri.slice(0, 200)}`)
    return { contents: [found] }
  })
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri)
    following ??= followResources(deps.client, subscribed, { updated: (uri) => void server.sendResourceUpdated({ uri }).catch(() => undefined), listChanged: () => void server.sendResourceListChanged().catch(() => undefined) }, stop.signal).catch(() => undefined)
    return {}
  })
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri)
    return {}
  })

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: PROMPTS.map((p) => ({ ...p, arguments: [...p.arguments] })) }))
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    if (request.params.name !== 'draft_plan') throw new McpError(ErrorCode.InvalidParams, `no prompt ${request.params.name.slice(0, 64)}`)
    const goal = request.params.arguments?.goal
    if (goal === undefined || goal === '') throw new McpError(ErrorCode.InvalidParams, 'draft_plan needs the goal argument')
    try {
      return redactDeep(await draftPlanPrompt(deps.client, goal, request.params.arguments?.namespace), secrets) as never
    } catch (error) {
      throw new McpError(ErrorCode.InvalidParams, (error as Error).message)
    }
  })

  return {
    server,
    async close() {
      stop.abort()
      await following
    },
  }
}

/** The client an MCP session is with, as a request's `via`: `mcp:NAME/VERSION` in a safe alphabet. */
export function viaOf(client: { readonly name?: string; readonly version?: string } | undefined): string {
  const clean = (text: string | undefined, fallback: string): string => (text ?? '').replace(/[^A-Za-z0-9._@+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56) || fallback
  return `mcp:${clean(client?.name, 'unknown')}/${clean(client?.version, '0')}`
}

function toToolError(error: unknown): ToolError {
  if (error instanceof ToolError) return error
  const code = (error as { code?: string } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'PLANSPEC_ERR_CLIENT_REFUSED') return new ToolError(MCP_ERRORS.refused, String((error as { reason?: string }).reason ?? 'Refused'), message)
  if (code === 'PLANSPEC_ERR_CLIENT_USAGE') return new ToolError(MCP_ERRORS.invalidInput, 'BadTarget', message)
  return new ToolError(MCP_ERRORS.unavailable, code ?? 'Unavailable', message)
}
