import type { ClientRequestOutcome } from '@planspec/client'
import { MCP_ERRORS, ToolError } from '../tool-error.js'

/** Turns a refused action into the coded tool error (`PLANSPEC_ERR_MCP_REFUSED` with its reason; `NotFound` has its own code). */
export function refusedError(outcome: Extract<ClientRequestOutcome, { status: 'refused' }>): ToolError {
  const audit = outcome.recorded === undefined ? '' : ' (recorded for the audit trail; it does not count)'
  if (outcome.reason === 'NotFound') return new ToolError(MCP_ERRORS.notFound, 'NotFound', outcome.message)
  return new ToolError(MCP_ERRORS.refused, outcome.reason, `${outcome.message}${audit}`, outcome.recorded === undefined ? {} : { recorded: outcome.recorded.id })
}

/** The Execution and node a work tool names. */
export const WORK_TARGET = {
  execution: { type: 'string', description: 'The Execution the node belongs to.', minLength: 1, maxLength: 63 },
  node: { type: 'string', description: 'The node id waiting for a worker.', minLength: 1, maxLength: 63 },
  namespace: { type: 'string', description: 'The namespace, when the name is not unique.', minLength: 1, maxLength: 63 },
} as const

/** Reads a string argument (validated against the input schema before a tool runs). */
export function text(args: Record<string, unknown>, key: string): string | undefined {
  return typeof args[key] === 'string' ? (args[key] as string) : undefined
}
