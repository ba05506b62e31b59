import { normalizeSubject } from './check-reviewer.js'

/** The prefix of the `via` of requests made through an AI agent's surface (the MCP server). */
export const AGENT_VIA_PREFIX = 'mcp:'

/**
 * Tells whether a request came through an AI agent's surface: its `via` (the client it came
 * through, e.g. `mcp:claude-code/1.2.0`) starts with {@link AGENT_VIA_PREFIX}. Pure.
 *
 * @example
 * ```ts
 * isAgentVia('mcp:claude-code/1.2.0') // true
 * isAgentVia(undefined)               // false
 * ```
 */
export function isAgentVia(via: string | undefined): boolean {
  return via !== undefined && via.toLowerCase().startsWith(AGENT_VIA_PREFIX)
}

/**
 * Checks whether an AI agent may approve or reject a Gate at all (issue 19: people stay in
 * charge). It may only when it acts as a service identity (`svc:NAME`) that the Gate's `reviewers`
 * name literally; being listed under another subject (`email:`, `user:`), through a team, or as
 * someone with write access never lets an agent decide. Returns `AgentCannotDecide` or `undefined`
 * (the ordinary checks still apply). Pure.
 *
 * @example
 * ```ts
 * checkAgentReview('svc:release-bot', ['svc:release-bot']) // undefined
 * checkAgentReview('email:bot@x.io', ['email:bot@x.io'])   // 'AgentCannotDecide'
 * ```
 */
export function checkAgentReview(reviewer: string, reviewers: readonly string[] | undefined): 'AgentCannotDecide' | undefined {
  const subject = normalizeSubject(reviewer)
  if (!subject.startsWith('svc:')) return 'AgentCannotDecide'
  return (reviewers ?? []).some((entry) => normalizeSubject(entry) === subject) ? undefined : 'AgentCannotDecide'
}
