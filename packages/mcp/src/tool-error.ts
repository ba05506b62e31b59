import { PlanSpecError } from '@planspec/core'

/** The codes of the errors a tool answers with (STYLE: `PLANSPEC_ERR_<AREA>_<WHAT>`). */
export const MCP_ERRORS = {
  /** The arguments do not match the tool's input schema, or exceed the bounds. */
  invalidInput: 'PLANSPEC_ERR_MCP_INVALID_INPUT',
  /** The action was checked and refused (its `reason` says why: `NotEligible`, `AlreadyClaimed`, ...). */
  refused: 'PLANSPEC_ERR_MCP_REFUSED',
  /** The resource does not exist (or the identity may not read it). */
  notFound: 'PLANSPEC_ERR_MCP_NOT_FOUND',
  /** The manifests have errors (the diagnostics are in the message and `data`). */
  invalidManifests: 'PLANSPEC_ERR_MCP_INVALID_MANIFESTS',
  /** The tool did not finish within its time bound. */
  timeout: 'PLANSPEC_ERR_MCP_TIMEOUT',
  /** The repository or server failed (unreachable, 5xx): retrying later may help. */
  unavailable: 'PLANSPEC_ERR_MCP_UNAVAILABLE',
  /** This tool does not exist, or is not offered in this mode. */
  unknownTool: 'PLANSPEC_ERR_MCP_UNKNOWN_TOOL',
} as const

/** A coded tool failure: answered as a tool result with `isError: true`, never as a protocol error. */
export class ToolError extends PlanSpecError {
  /** PascalCase: why (`AlreadyClaimed`, `MissingOutputs`, `AgentCannotDecide`, `NotFound`, ...). */
  readonly reason: string
  constructor(code: (typeof MCP_ERRORS)[keyof typeof MCP_ERRORS], reason: string, message: string, data: Record<string, unknown> = {}) {
    super(message, { code, data: { reason, ...data } })
    this.reason = reason
  }
}
