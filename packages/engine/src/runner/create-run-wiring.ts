import { createRedactor, type Redactor } from '@planspec/core'
import { createProviders, type Providers } from '../create-providers.js'
import { runAcceptanceCriteria } from '../run-acceptance-criteria.js'
import type { Policy, Provider } from '../types.js'
import { createCelEvaluator } from './cel-evaluator.js'
import type { ExecutionRunDeps } from './run-execution.js'

/** What every mode decides the same way before it runs an Execution. */
export interface RunWiringOptions {
  /** The allow-lists: commands, URLs, environment variables a Binding may hand to commands. */
  readonly policy: Policy
  /** The process environment (injected); only allow-listed variables reach commands and acceptance checks. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** The one redactor of the process (every sink masks what it knows); default a new one. */
  readonly redactor?: Redactor
  /** Where command attempts are journaled, so a restarted process re-attaches to them. */
  readonly attemptsDir?: string
  /** Providers to use instead of the built-in ones (tests, embedders). */
  readonly providers?: Providers | { forUri(uri: string): Provider | undefined }
}

/** The mode-independent part of `runExecution`'s dependencies, built once per process. */
export interface RunWiring {
  readonly policy: Policy
  readonly redactor: Redactor
  readonly providers: { forUri(uri: string): Provider | undefined }
  /**
   * Returns the dependencies every mode passes to `runExecution` for a run in `workspace`:
   * providers, the CEL evaluator, the redactor, and acceptance checks under the same allow-lists
   * and environment as the providers. The mode adds how it stores state, observes Gates and
   * Externals, and hears from people.
   */
  runDeps(workspace: string): Pick<ExecutionRunDeps, 'providers' | 'evaluate' | 'redactor' | 'checkAcceptance' | 'workspace'>
}

/**
 * Wires how Executions run, once, for the three modes (CLI `run`, the agent, `serve`): the
 * built-in providers under the allow-lists (journaled in `attemptsDir`), one redactor, one CEL
 * evaluator, and acceptance criteria checked with the same policy, environment and redactor as
 * the providers. Before this, each mode built its own, and the agent checked acceptance criteria
 * without the environment the other modes handed in.
 *
 * @example
 * const wiring = createRunWiring({ policy: { allowCommands: ['/usr/bin/make'], allowUrls: [] }, env: process.env, attemptsDir })
 * await runExecution(input, { ...wiring.runDeps(workspace), now: Date.now, sleep, state })
 */
export function createRunWiring(options: RunWiringOptions): RunWiring {
  const { policy } = options
  const redactor = options.redactor ?? createRedactor()
  const providers = options.providers ?? createProviders({ policy, redactor, ...(options.env === undefined ? {} : { env: options.env }), ...(options.attemptsDir === undefined ? {} : { attemptsDir: options.attemptsDir }) })
  const evaluate = createCelEvaluator()
  return {
    policy,
    redactor,
    providers,
    runDeps: (workspace) => ({
      providers,
      evaluate,
      redactor,
      workspace,
      checkAcceptance: (_node, criteria, signal) => runAcceptanceCriteria(criteria, { workspace, policy, redactor, signal, ...(options.env === undefined ? {} : { env: options.env }) }),
    }),
  }
}
