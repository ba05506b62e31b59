import { normalizeGraph, sanitizeTerminalText, type PlanGraphLike } from '@planspec/core'
import { notFoundMessage } from '@planspec/validator'
import { renderGraphDot, renderGraphJson, renderGraphMermaid, renderGraphText } from '@planspec/reporter'
import { renderText } from '@planspec/reporter'
import { EXIT, UsageError, useColor, type CommandIO } from '../io.js'
import { validatePaths, DEFAULTS } from './validate.js'

/** The output formats of `planspec graph`. */
export const GRAPH_FORMATS = ['text', 'mermaid', 'dot', 'json'] as const

/** Options of `planspec graph`. */
export interface GraphOptions {
  /** Files or directories holding the Plan (`-` for stdin). */
  readonly paths: readonly string[]
  readonly plan: string
  readonly namespace?: string
  readonly output: (typeof GRAPH_FORMATS)[number]
}

/**
 * Runs `planspec graph`: finds the Plan named `--plan` among the manifests under the path and
 * draws its normalized graph (dependsOn included, soft edges dashed, groups as clusters).
 * Exit 1 when the Plan is missing or its graph cannot be drawn; its findings go to stderr.
 */
export async function runGraph(options: GraphOptions, io: CommandIO): Promise<number> {
  if (!GRAPH_FORMATS.includes(options.output)) throw new UsageError(`unknown output format "${options.output}"; use one of ${GRAPH_FORMATS.join(', ')}`)
  const result = await validatePaths({ paths: options.paths, compat: true, closed: false, ...DEFAULTS }, io)
  const plans = result.resources.filter((r) => r.kind === 'Plan' && r.name === options.plan && (!options.namespace || r.namespace === options.namespace))
  if (plans.length === 0) {
    const existing = result.resources.filter((r) => r.kind === 'Plan' && (!options.namespace || r.namespace === options.namespace)).map((r) => r.name)
    io.stderr.write(`error: ${sanitizeTerminalText(notFoundMessage('Plan', options.plan, options.namespace, existing))} under ${options.paths.join(' ')}\n`)
    return EXIT.findings
  }
  if (plans.length > 1) {
    io.stderr.write(`error: Plan "${options.plan}" exists in several namespaces (${plans.map((p) => p.namespace).join(', ')}); choose one with --namespace\n`)
    return EXIT.usage
  }
  const plan = plans[0]!
  const own = result.diagnostics.filter((d) => d.file === plan.file && d.kind === 'Plan' && d.name === plan.name && d.severity === 'error')
  if (!plan.schemaValid) {
    io.stderr.write(renderText(own, { files: 1, resources: 1, errors: own.length, warnings: 0 }, { color: false, sources: result.sources }))
    return EXIT.findings
  }
  writePlanGraph({ name: plan.name, namespace: plan.namespace, spec: plan.value.spec }, options.output, io)
  if (own.length) {
    io.stderr.write(renderText(own, { files: 1, resources: 1, errors: own.length, warnings: 0 }, { color: useColor(io), sources: result.sources }))
    return EXIT.findings
  }
  return EXIT.ok
}

/**
 * Draws a Plan read from a server or a repository (its stored object) on stdout. Exit 1 when the
 * object has no graph to draw.
 *
 * @example
 * writePlanGraph({ name: 'release', namespace: 'default', spec }, 'mermaid', io)
 */
export function writePlanGraph(plan: { readonly name: string; readonly namespace: string; readonly spec: unknown }, output: GraphOptions['output'], io: CommandIO): number {
  const graphSpec = (plan.spec as { graph?: PlanGraphLike } | undefined)?.graph
  if (graphSpec === undefined || !Array.isArray(graphSpec.nodes)) {
    io.stderr.write(`error: Plan "${plan.namespace}/${plan.name}" has no spec.graph to draw\n`)
    return EXIT.findings
  }
  const graph = normalizeGraph(graphSpec)
  const title = `${plan.namespace}/${plan.name}`
  const rendered =
    output === 'mermaid' ? renderGraphMermaid(graph, { title })
    : output === 'dot' ? renderGraphDot(graph, { title })
    : output === 'json' ? renderGraphJson(graph, { title })
    : renderGraphText(graph, { title })
  io.stdout.write(rendered.endsWith('\n') ? rendered : rendered + '\n')
  return EXIT.ok
}
