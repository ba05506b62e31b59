import type { ResourceClient } from '@planspec/client'
import type { Policy } from '@planspec/engine'
import type { Validator } from '@planspec/validator'
import type { McpLimits } from './bounds.js'
import type { JsonSchema } from './tool-schemas.js'

/**
 * How proposals reach people in git mode: a new branch with one commit (signed like the client's
 * requests), and a pull request when a GitHub repository is configured. Never the tracked branch.
 */
export interface ProposalPort {
  /** The branch proposals start from and are reviewed against. */
  readonly base: string
  /** Pushes `files` as one commit on the new branch `branch`. */
  propose(change: { readonly branch: string; readonly files: ReadonlyMap<string, string>; readonly message: string }): Promise<{ readonly branch: string; readonly commit: string; readonly base: string }>
  /** Opens a pull request of `head` into `base` (configured with a GitHub repository). */
  openPullRequest?(request: { readonly head: string; readonly base: string; readonly title: string; readonly body: string }): Promise<{ readonly number: number; readonly url: string }>
  /** Comments on the pull request that brought `commit` (configured with a GitHub repository); undefined when none did. */
  announce?(commit: string, body: string): Promise<{ readonly number: number; readonly url: string } | undefined>
}

/** One audit line of the MCP server: every tool call, who made it, through which client, and its outcome. */
export interface McpAuditEntry {
  readonly tool: string
  /** The identity the server acts as (`svc:docs-writer`), when known. */
  readonly identity?: string
  /** The MCP client (`mcp:NAME/VERSION`). */
  readonly via: string
  readonly outcome: 'ok' | 'refused' | 'error'
  readonly code?: string
  readonly reason?: string
  readonly ms: number
}

/** What the PlanSpec MCP server acts through. */
export interface PlanSpecMcpDeps {
  /** The repository or server, acting as one identity (its signing key or token). */
  readonly client: ResourceClient
  readonly validator: Validator
  /** Where completed work's acceptance criteria are checked (the worker's workspace) and under which allow-lists. */
  readonly acceptance: { readonly workspace: string; readonly policy: Policy }
  /** git mode: how `propose_plan` opens a branch (and a pull request). Server mode previews with a dry-run apply. */
  readonly proposals?: ProposalPort
  readonly limits?: Partial<McpLimits>
  /** Values masked in everything returned (tokens, keys of the environment). */
  readonly secrets?: readonly string[]
  /** The server's version, announced at initialization. */
  readonly version: string
  /** Told about every tool call (stderr JSON lines in `planspec mcp`; never stdout, which is the protocol in stdio mode). */
  readonly audit?: (entry: McpAuditEntry) => void
  /** How often the resource subscriptions re-read a repository (git mode; default 2 s). */
  readonly watchPollMs?: number
}

/** What a tool runs with, per call. */
export interface ToolContext {
  readonly deps: PlanSpecMcpDeps
  readonly limits: McpLimits
  /** `mcp:NAME/VERSION` of the connected client. */
  readonly via: string
  readonly signal: AbortSignal
}

/** A tool: its declared contract and what it does. */
export interface ToolDefinition {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly inputSchema: JsonSchema
  readonly outputSchema: JsonSchema
  readonly annotations: { readonly readOnlyHint: boolean; readonly destructiveHint: boolean; readonly idempotentHint: boolean; readonly openWorldHint: boolean }
  /** Returns the structured result (it must satisfy `outputSchema`); throws `ToolError` for coded failures. */
  run(args: Record<string, unknown>, context: ToolContext): Promise<Record<string, unknown>>
}
