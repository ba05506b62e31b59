import { describeNotFound } from '@planspec/client'
import { sanitizeTerminalText } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../io.js'
import { openResourceClient } from './open-resource-client.js'
import { resolveContext } from './server/resolve-context.js'
import { reportApiError } from './server/report-api-error.js'
import { runGraph, writePlanGraph, type GraphOptions } from './graph.js'

/** The arguments and flags of `planspec graph`, as parsed. */
export interface GraphCommandOptions {
  /** `NAME` (the Plan), or, with `--plan`, the `PATH` holding it (the legacy form). */
  readonly positional?: string
  readonly plan?: string
  readonly filename?: readonly string[]
  readonly namespace?: string
  readonly server?: string
  readonly repo?: string
  readonly context?: string
  readonly output: GraphOptions['output']
}

/**
 * Runs `planspec graph`: `graph PATH --plan NAME` and `graph NAME -f PATH...` draw a Plan found in
 * files; `graph NAME` alone reads it from where the current context points: a server (its API), a
 * repository context or `--repo` (the tracked branch), else the files under the working directory.
 *
 * @example
 * await runGraphCommand({ positional: 'sso-implementation-v2', output: 'text' }, io)
 */
export async function runGraphCommand(options: GraphCommandOptions, io: CommandIO): Promise<number> {
  const namespace = options.namespace
  if (options.plan !== undefined) {
    if (options.filename?.length && options.positional !== undefined) throw new UsageError('give the files either as PATH or with -f, not both')
    return runGraph({ paths: options.filename?.length ? options.filename : [options.positional ?? '.'], plan: options.plan, ...(namespace ? { namespace } : {}), output: options.output }, io)
  }
  if (options.positional === undefined) throw new UsageError('name the Plan to draw: planspec graph NAME (or PATH --plan NAME)')
  const name = options.positional
  if (options.filename?.length) return runGraph({ paths: options.filename, plan: name, ...(namespace ? { namespace } : {}), output: options.output }, io)
  const target = await resolveContext({ ...(options.server ? { server: options.server } : {}), ...(options.repo ? { repo: options.repo } : {}), ...(options.context ? { context: options.context } : {}) }, io)
  const explicitRepo = options.repo !== undefined || (target.mode === 'repo' && target.repo !== io.cwd)
  if (target.mode === 'repo' && !explicitRepo) return runGraph({ paths: ['.'], plan: name, ...(namespace ? { namespace } : {}), output: options.output }, io)
  const client = openResourceClient(target, io)
  try {
    const plan = await client.get('plan', name, namespace ?? target.namespace)
    if (plan === undefined) {
      io.stderr.write(`error: ${sanitizeTerminalText(await describeNotFound(client, 'Plan', name, namespace ?? target.namespace))} at ${client.target}\n`)
      return EXIT.findings
    }
    return writePlanGraph({ name: plan.name, namespace: plan.namespace, spec: plan.object.spec }, options.output, io)
  } catch (error) {
    return reportApiError(error, io)
  }
}
