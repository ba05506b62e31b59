import { Ajv, type ValidateFunction } from 'ajv'
import formats from 'ajv-formats'
import { MCP_ERRORS, ToolError } from './tool-error.js'
import type { ToolDefinition } from './types.js'

const addFormats = formats.default
// One validator for every tool: each input schema is compiled on its tool's first call (a schema
// carrying a Plan is large) and kept. Our own schemas only (THREATS T17): no $data, first error only.
const ajv = new Ajv({ strict: false, allErrors: false })
addFormats(ajv)
const compiled = new WeakMap<ToolDefinition, ValidateFunction>()

/**
 * Checks a tool's arguments against its declared input schema (the one `tools/list` shows) and
 * throws {@link ToolError} (`PLANSPEC_ERR_MCP_INVALID_INPUT`, reason `InvalidArguments`) naming the
 * first problem and where it is.
 *
 * @example
 * checkInput(claimWork, { execution: 'docs-1' }) // throws: must have required property 'node'
 */
export function checkInput(tool: ToolDefinition, args: Record<string, unknown>): void {
  let validate = compiled.get(tool)
  if (validate === undefined) {
    validate = ajv.compile(tool.inputSchema)
    compiled.set(tool, validate)
  }
  if (validate(args)) return
  const first = validate.errors?.[0]
  throw new ToolError(MCP_ERRORS.invalidInput, 'InvalidArguments', `invalid arguments for ${tool.name}: ${first?.instancePath || '(arguments)'} ${first?.message ?? 'do not match the input schema'}`)
}
