export type {
  AttemptOutput,
  DispatchRequest,
  DispatchResult,
  FailureReason,
  LookupAddress,
  LookupFn,
  McpServerConfig,
  PinnedFetch,
  PinnedRequest,
  PinnedResponse,
  Policy,
  Provider,
  SpawnFn,
} from './types.js'
export { createProviders } from './create-providers.js'
export { checkPolicy, InvalidPolicyError, INVALID_POLICY_ERROR_CODE } from './check-policy.js'
export type { ProviderDeps, Providers } from './create-providers.js'
export { createNoopProvider } from './noop-provider.js'
export { createExecProvider, dispatchCommand, DEFAULT_EXEC_TIMEOUT_MS, DEFAULT_MAX_OUTPUT_BYTES } from './exec-provider.js'
export type { ExecProviderDeps } from './exec-provider.js'
export { createHttpProvider, DEFAULT_POLL_INTERVAL_MS } from './http-provider.js'
export type { HttpProviderDeps } from './http-provider.js'
export { createClaimableProvider } from './claimable-provider.js'
export { createMcpProvider, DEFAULT_MCP_TIMEOUT_MS } from './mcp-provider.js'
export type { McpProviderDeps } from './mcp-provider.js'
export { fetchPinned } from './fetch-pinned.js'
export { isCommandAllowed } from './command-allowed.js'
export { isUrlAllowed } from './url-allowed.js'
export { redact, REDACTED } from './redact.js'
export { runAcceptanceCriteria, blockingFailures, DEFAULT_CRITERION_TIMEOUT_MS } from './run-acceptance-criteria.js'
export type { AcceptanceDeps } from './run-acceptance-criteria.js'
export type {
  AcceptanceCriterion,
  AcceptanceCriterionCommon,
  CriterionFailureReason,
  CriterionResult,
} from './acceptance-criterion.js'
export { memoryStore } from './store/index.js'
export type { MemoryStoreDeps } from './store/index.js'
export { BINDING_NOT_FOUND_REASON, blockOnMissingBindings, createCelEvaluator, createRunWiring, isBlockedOnBindings, missingBindingsMessage, releaseBindingBlock, DEFAULT_RETRY_POLICY, hashJitter, isPolledExternal, observeExternals, prepareRun, runExecution, simulateRun } from './runner/index.js'
export type { DispatchJournal, ExternalRefLike, ExecutionRunDeps, ExecutionRunInput, PreparedRun, ResourceLike, RunState, RunWiring, RunWiringOptions, SimulatedGate, SimulatedNode, SimulationProblem, SimulationReport } from './runner/index.js'
export { createWorkQueue } from './work-queue.js'
export type { WorkFailure, WorkQueue, WorkQueueOptions, WorkQueueTimers, WorkResult } from './work-queue.js'
export { reviewChange } from './review-change.js'
export type { ChangeReview, ReviewedSide, ReviewSimulation } from './review-change.js'
