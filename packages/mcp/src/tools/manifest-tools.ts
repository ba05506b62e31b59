import { explain, type ResourceView } from '@planspec/client'
import { prepareRun, simulateRun, type ResourceLike } from '@planspec/engine'
import type { Diagnostic } from '@planspec/core'
import type { ValidationResult } from '@planspec/validator'
import { readAll } from '../run-context.js'
import { MCP_ERRORS, ToolError } from '../tool-error.js'
import { DIAGNOSTIC_SCHEMA } from '../tool-schemas.js'
import type { ToolContext, ToolDefinition } from '../types.js'
import { text } from './outcome.js'

const MANIFESTS = { type: 'string', minLength: 1, maxLength: 1024 * 1024, description: 'PlanSpec manifests as YAML (several documents separated by ---).' }

/** Validates manifest text with the product's validator (the same checks as `planspec validate`). */
export function validateText(manifests: string, context: Pick<ToolContext, 'deps'>, options: { readonly file?: string; readonly closed?: boolean; readonly compat?: boolean } = {}): ValidationResult {
  return context.deps.validator.validate([{ file: options.file ?? 'manifests.yaml', text: manifests }], { ...(options.closed ? { closed: true } : {}), ...(options.compat ? { compat: true } : {}) })
}

/** Throws `PLANSPEC_ERR_MCP_INVALID_MANIFESTS` listing the errors, when there are any. */
export function requireValid(result: ValidationResult): void {
  const errors = result.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new ToolError(MCP_ERRORS.invalidManifests, 'InvalidManifests', `the manifests have ${errors.length} error(s): ${errors.slice(0, 10).map(line).join('; ')}`, { diagnostics: errors.slice(0, 100) })
}

/** `file:line:col: CODE message`. */
export function line(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}`
}

/** `validate`: the validator's findings, with positions and fix suggestions. */
export const validate: ToolDefinition = {
  name: 'validate',
  title: 'Validate manifests',
  description: 'Validates PlanSpec manifests given as YAML text: YAML, schema, graph (cycles, dependsOn), CEL expressions and cross-references, with the same stable codes as `planspec validate`. Each finding has a 1-based line and column range, a JSON pointer and, where one exists, a machine-applicable fix. `explain` documents a code (PS3006) or a field.',
  inputSchema: { type: 'object', required: ['manifests'], properties: { manifests: MANIFESTS, file: { type: 'string', maxLength: 255, description: 'A file name for the findings (default manifests.yaml).' }, closed: { type: 'boolean', description: 'References to resources outside these manifests are errors, not warnings.' }, compat: { type: 'boolean', description: 'Accept legacy shapes as warnings with fixes.' } }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['valid', 'summary', 'diagnostics'], properties: { valid: { type: 'boolean' }, summary: { type: 'object', required: ['files', 'resources', 'errors', 'warnings'], properties: { files: { type: 'integer' }, resources: { type: 'integer' }, errors: { type: 'integer' }, warnings: { type: 'integer' } } }, diagnostics: { type: 'array', items: DIAGNOSTIC_SCHEMA } } },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const file = text(args, 'file')
    const result = validateText(text(args, 'manifests')!, context, { ...(file ? { file } : {}), closed: args.closed === true, compat: args.compat === true })
    return { valid: result.summary.errors === 0, summary: { ...result.summary }, diagnostics: result.diagnostics.slice(0, context.limits.maxItems) }
  },
}

/** `explain`: field documentation from the schemas, or a diagnostic code's. */
export const explainTool: ToolDefinition = {
  name: 'explain',
  title: 'Explain a field or a code',
  description: "Documents a resource field from the schemas, like kubectl explain (`plan.spec.graph.nodes`, `binding.spec.rules.selector`; `recursive` lists nested fields), or a diagnostic code (`PS3006`).",
  inputSchema: { type: 'object', required: ['target'], properties: { target: { type: 'string', minLength: 1, maxLength: 256, description: 'KIND[.field.path] or a code such as PS3006.' }, recursive: { type: 'boolean' } }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args) {
    try {
      return { text: explain(text(args, 'target')!, { recursive: args.recursive === true }) }
    } catch (error) {
      throw new ToolError(MCP_ERRORS.invalidInput, 'UnknownTarget', (error as Error).message)
    }
  },
}

/** `simulate`: a deterministic dry run of one Execution (order, critical path, gates, problems). */
export const simulate: ToolDefinition = {
  name: 'simulate',
  title: 'Simulate a run',
  description: "Dry-runs one Execution on a virtual clock, like `planspec simulate`: the provider of each node, the layers and start order, the critical path from node timeouts, the gates that will block and who may approve them, and every problem that would stop the real run. Uses the repository's (or server's) resources, with `manifests` (YAML) added or replacing them, so a drafted Plan and Execution can be simulated before proposing them.",
  inputSchema: { type: 'object', required: ['execution'], properties: { execution: { type: 'string', minLength: 1, maxLength: 63 }, namespace: { type: 'string', minLength: 1, maxLength: 63 }, manifests: MANIFESTS }, additionalProperties: false },
  outputSchema: {
    type: 'object',
    required: ['execution', 'plan', 'order', 'layers', 'criticalPath', 'gates', 'problems', 'outcome'],
    properties: { execution: { type: 'string' }, plan: { type: 'string' }, order: { type: 'array', items: { type: 'string' } }, layers: { type: 'array', items: { type: 'array', items: { type: 'string' } } }, nodes: { type: 'array', items: { type: 'object' } }, criticalPath: { type: 'object', required: ['nodes', 'durationMs'], properties: { nodes: { type: 'array', items: { type: 'string' } }, durationMs: { type: 'number' } } }, gates: { type: 'array', items: { type: 'object' } }, problems: { type: 'array', items: { type: 'object' } }, outcome: { type: 'string' } },
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const resources = await simulationResources(context, text(args, 'manifests'))
    const namespace = text(args, 'namespace')
    let prepared
    try {
      prepared = prepareRun(resources, { name: text(args, 'execution')!, ...(namespace === undefined ? {} : { namespace }) })
    } catch (error) {
      throw new ToolError(MCP_ERRORS.notFound, 'CannotPrepare', (error as Error).message)
    }
    const report = await simulateRun(prepared, resources, text(args, 'execution')!)
    return JSON.parse(JSON.stringify(report)) as Record<string, unknown>
  },
}

/** The repository's (or server's) resources, overlaid by validated manifests. */
async function simulationResources(context: ToolContext, manifests: string | undefined): Promise<ResourceLike[]> {
  const existing = (await readAll(context.deps.client)).map((r: ResourceView): ResourceLike => ({ kind: r.kind, name: r.name, namespace: r.namespace, value: r.object }))
  if (manifests === undefined) return existing
  const result = validateText(manifests, context)
  requireValid(result)
  const added = result.resources.map((r): ResourceLike => ({ kind: r.kind, name: r.name, namespace: r.namespace, value: r.value }))
  const key = (r: ResourceLike): string => `${r.kind}/${r.namespace}/${r.name}`
  const replaced = new Set(added.map(key))
  return [...existing.filter((r) => !replaced.has(key(r))), ...added]
}
