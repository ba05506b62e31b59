import {
  abandonAttempt,
  dispatchIntentOf,
  initialStatus,
  reconcileExecution,
  recordAttemptResult,
  type Action,
  type AttemptLog,
  type CelEvaluate,
  type ExecutionObservation,
  type ExecutionStatus,
  type ExternalObservation,
  type GateNodeObservation,
  type Redactor,
} from '@planspec/core'
import type { AcceptanceCriterion, CriterionResult } from '../acceptance-criterion.js'
import type { DispatchResult, Provider } from '../types.js'
import { attemptLogs, withAttemptDetails, withDispatchedInputs } from './attempt-details.js'
import { createLiveOutput } from './live-output.js'
import { blockOnMissingBindings, isBlockedOnBindings, missingBindingsMessage, releaseBindingBlock } from './missing-bindings.js'
import { statusChanged } from './status-changed.js'

/**
 * What one run of one Execution is about, fixed when the run starts: the fields of core's
 * observation that do not change between rounds, plus what the shell needs per node.
 */
export type ExecutionRunInput = Pick<ExecutionObservation, 'uid' | 'graph' | 'specHash' | 'planGeneration' | 'graphDigest' | 'runDigest' | 'parameters' | 'goalConstraints' | 'bindings' | 'retryPolicy'> & {
  /** Output names each Task declares. */
  readonly declaredOutputs: ReadonlyMap<string, readonly string[]>
  /** The acceptance criteria of each Task that has some (RESOURCES 2.9). */
  readonly acceptanceCriteria?: ReadonlyMap<string, readonly AcceptanceCriterion[]>
  /**
   * Bindings the Execution names that do not exist (`Binding "ns/name" (spec.bindingRef)`): a run
   * that has not started waits for them, `Blocked` with reason `BindingNotFound` (prepareRun).
   */
  readonly missingBindings?: readonly string[]
  /** The Execution's `metadata.generation` (1 when the files carry none). */
  readonly generation?: number
  /** The Execution's `metadata.creationTimestamp` (undefined in files read by `planspec run`: the run's start). */
  readonly creationTimestamp?: string
}

/** Durable state of a run: the status is saved after every transition and loaded on start. */
export interface RunState {
  load(): Promise<ExecutionStatus | undefined>
  /**
   * Saves the status; `logs` (when given) are the output of the attempts this transition recorded
   * (capped, masked), kept with the status so both are stored together (`planspec logs`).
   */
  save(status: ExecutionStatus, logs?: readonly AttemptLog[]): Promise<void>
  /** Saves what running attempts printed so far (the status is unchanged); without it, output is kept when each attempt ends. */
  saveLogs?(logs: readonly AttemptLog[]): Promise<void>
}

/**
 * A durable record of which attempts reached their provider, written just before each dispatch.
 * With it, a restarted run tells an attempt that never left (dispatched again, same runId) from
 * one whose outcome was lost (recorded as AgentRestarted).
 */
export interface DispatchJournal {
  markDispatched(runId: string): Promise<void>
  wasDispatched(runId: string): Promise<boolean>
}

/** The effects of a run, injected (STYLE: plain functions with injected dependencies). */
export interface ExecutionRunDeps {
  readonly providers: { forUri(uri: string): Provider | undefined }
  readonly evaluate: CelEvaluate
  /** The clock, in epoch milliseconds. */
  readonly now: () => number
  /** Waits `ms` (a virtual clock may resolve at once); resolves early when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly workspace: string
  readonly state?: RunState
  readonly journal?: DispatchJournal
  /** The current state of the Gate a Gate node waits on (approvals from flags, a prompt, a store). */
  readonly gate?: (node: string, gate: { readonly name: string; readonly namespace?: string }) => Promise<GateNodeObservation>
  /** The current state of an External node. */
  readonly external?: (node: string) => Promise<ExternalObservation>
  /**
   * Called when only people can move the run on (claimable work, gates not decided). Resolves
   * with results of claimed work; when it brings nothing and the gates do not change either, the
   * run stops where it is (Blocked), to be resumed later from `state`.
   */
  readonly waitForPeople?: (status: ExecutionStatus) => Promise<readonly { node: string; outcome: 'succeeded' | 'failed'; outputs?: Record<string, unknown>; message?: string }[]>
  /** Told every new status, with the previous one, after it was saved. */
  readonly onChange?: (status: ExecutionStatus, previous: ExecutionStatus | undefined) => void
  /**
   * Re-opens a Failed run from its failed nodes (optionally only `nodes`), keeping succeeded work
   * (`planspec retry`, DECISIONS §3). Applied on the first round only.
   */
  readonly retryRequested?: { readonly nodes?: readonly string[] }
  /** Aborting cancels the run: running attempts are cancelled through their providers. */
  readonly signal?: AbortSignal
  /** Deterministic jitter in [0, 1) per runId (default: a hash of the runId). */
  readonly jitter?: (runId: string) => number
  /**
   * Whether waiting on an External node can end without people: true for polled webhooks and
   * http(s) URIs (the default for every node). A run whose only remaining work waits on Externals
   * that nothing polls stops Blocked instead of spinning, to be resumed from `state`.
   */
  readonly externalPolled?: (node: string) => boolean
  /**
   * How often what running attempts printed is saved (`state.saveLogs`), so `planspec logs -f`
   * follows them while they run; unset: output is saved when each attempt ends.
   */
  readonly logFlushMs?: number
  /** How often gates and externals are re-read while the run waits on them (default 1 s). */
  readonly pollMs?: number
  /**
   * Checks a Task's acceptance criteria after a successful attempt (e.g. `runAcceptanceCriteria`
   * with the run's policy and workspace). A required criterion that fails makes the attempt fail
   * with reason `AcceptanceFailed` (DECISIONS §3). Without it, criteria are not checked.
   */
  readonly checkAcceptance?: (node: string, criteria: readonly AcceptanceCriterion[], signal: AbortSignal) => Promise<readonly CriterionResult[]>
  /**
   * Masks known secrets in what attempts report (outputs and messages) before they enter the
   * status, so no sink that writes the status (state file, status branch, database, API) and no
   * downstream input ever holds them (DECISIONS §9).
   */
  readonly redactor?: Redactor
}

const TERMINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Cancelled'])

/** A finished attempt waiting to be recorded. */
export type Completion = { readonly node: string; readonly attempt: number; readonly runId: string; readonly provider: Provider | undefined; readonly result: DispatchResult; readonly acceptance?: readonly CriterionResult[] }

/**
 * Runs one Execution to a terminal phase (or until only people can move it on): the loop is
 * reconcile (pure, core) → save the status → perform the actions → wait for a result, a timer
 * or the people → reconcile again. The status is saved BEFORE any dispatch, with the attempt's
 * intent in it, so a killed run resumes from `state` without dispatching an attempt twice:
 * an intent found on start is asked back from its provider by runId, or recorded as failed with
 * reason `AgentRestarted` (and retried if retries remain) — DECISIONS §3, THREATS T1.
 *
 * @example
 * const status = await runExecution(input, { providers, evaluate, now: Date.now, sleep, workspace: '/tmp/run' })
 */
export async function runExecution(input: ExecutionRunInput, deps: ExecutionRunDeps): Promise<ExecutionStatus> {
  const ended = new AbortController()
  try {
    return await runRounds(input, deps, ended.signal)
  } finally {
    ended.abort() // no more saves of running attempts' output, however the run ended
  }
}

/** The body of {@link runExecution}; `ended` aborts once it returned or threw. */
async function runRounds(input: ExecutionRunInput, deps: ExecutionRunDeps, ended: AbortSignal): Promise<ExecutionStatus> {
  const iso = (ms: number): string => new Date(ms).toISOString()
  const jitter = deps.jitter ?? hashJitter
  const gates = new Map<string, GateNodeObservation>()
  const gateRefs = new Map<string, { readonly name: string; readonly namespace?: string }>()
  const externals = new Map<string, ExternalObservation>()
  const inflight = new Map<string, AbortController>()
  const completions: Completion[] = []
  let wake: (() => void) | undefined
  const notify = (): void => wake?.()
  // Every mode starts from the status the server sets on create (RESOURCES 0.7): a run with no
  // stored status (git mode's first run, `planspec run` without state) starts from the same one.
  let status: ExecutionStatus | undefined = (await deps.state?.load()) ?? initialStatus('Execution', input.generation ?? 1, input.creationTimestamp ?? iso(deps.now()))
  let idleRounds = 0
  let idleStatus = ''
  let retryPending = true

  const liveOutput = createLiveOutput(deps, ended)

  const commit = async (next: ExecutionStatus, logs: readonly AttemptLog[] = []): Promise<void> => {
    if (!statusChanged(status, next) && logs.length === 0) return
    await (logs.length === 0 ? deps.state?.save(next) : deps.state?.save(next, logs))
    const previous = status
    status = next
    deps.onChange?.(next, previous)
  }
  const record = (node: string, attempt: number, outcome: 'succeeded' | 'failed', reported: { outputs?: Record<string, unknown>; reason?: string; message?: string }): ExecutionStatus => {
    const nowMs = deps.now()
    const fields = deps.redactor === undefined ? reported : deps.redactor.redactValue(reported)
    return recordAttemptResult(status!, { node, attempt, outcome, ...fields, now: iso(nowMs), nowMs, declaredOutputs: input.declaredOutputs.get(node) })
  }

  /**
   * Follows an attempt to its end: polls a pending one (HTTP 202), checks the Task's acceptance
   * criteria after a success, and queues the result for the loop to record. Claimable work stays
   * Blocked until a worker completes it.
   */
  const follow = (node: string, attempt: number, runId: string, provider: Provider | undefined, started: Promise<DispatchResult>, controller: AbortController): void => {
    const binding = input.bindings.get(node)
    const criteria = input.acceptanceCriteria?.get(node) ?? []
    let checked: readonly CriterionResult[] | undefined
    void started
          .catch((error: unknown): DispatchResult => ({ outcome: 'failed', reason: 'Crashed', message: `provider error: ${(error as Error)?.message ?? String(error)}` }))
          .then(async (first): Promise<DispatchResult> => {
            // Accepted for later (HTTP 202): poll the status URL until the work ends or is cancelled.
            let result = first
            while (result.outcome === 'pending' && result.poll && provider?.status && !controller.signal.aborted) {
              await deps.sleep(result.poll.intervalMs, controller.signal)
              if (controller.signal.aborted) return { outcome: 'failed', reason: 'Cancelled', message: 'cancelled while polling' }
              result = (await provider.status(runId, { url: result.poll.url })) ?? result
            }
            if (result.outcome !== 'succeeded' || !criteria.length || !deps.checkAcceptance) return result
            checked = await deps.checkAcceptance(node, criteria, controller.signal)
            const failed = checked.filter((r) => r.required && !r.passed)
            if (!failed.length) return result
            return { outcome: 'failed', reason: 'AcceptanceFailed', message: `acceptance criteria failed: ${failed.map((f) => `${f.name} (${f.message})`).join('; ')}` }
          })
          .catch((error: unknown): DispatchResult => ({ outcome: 'failed', reason: 'AcceptanceFailed', message: `acceptance check error: ${(error as Error)?.message ?? String(error)}` }))
          .then((result) => {
            inflight.delete(runId)
            // Claimable work stays Blocked until a worker completes it; pollable work is polled.
            if (result.outcome === 'pending' && (result.claimable || (binding?.outcome === 'bound' && binding.claimable))) return
            completions.push({ node, attempt, runId, provider, result, ...(checked === undefined ? {} : { acceptance: checked }) })
            notify()
          })
  }

  // A Binding the Execution names does not exist (yet): the run waits for it, Blocked, in every
  // mode (Kubernetes style: it starts once the Binding is there), unless it is being cancelled.
  if (!hasStarted(status) && !(deps.signal?.aborted ?? false)) {
    if (input.missingBindings?.length) {
      await commit(blockOnMissingBindings(status, missingBindingsMessage(input.missingBindings), iso(deps.now())))
      return status!
    }
    if (isBlockedOnBindings(status)) status = releaseBindingBlock(status!)
  }

  // Attempts a previous process started (DECISIONS §3, §9): a provider that journals its attempts
  // re-attaches to one still running (or collects its result) and tells one that never started
  // (dispatched again, same runId) from one that ended without a result (what is left of it is
  // stopped first; then AgentRestarted, retried if retries remain). Others are asked by runId.
  if (status) {
    for (const [node, nodeStatus] of Object.entries(status.nodeStatuses ?? {})) {
      const intent = nodeStatus ? dispatchIntentOf(nodeStatus) : undefined
      if (!nodeStatus || !intent || nodeStatus.phase !== 'Running') continue
      const binding = input.bindings.get(node)
      const provider = binding?.outcome === 'bound' ? deps.providers.forUri(binding.provider) : undefined
      const attempt = nodeStatus.attempt ?? 1
      if (provider?.reattach && binding?.outcome === 'bound') {
        const controller = new AbortController()
        const found = await provider.reattach({ runId: intent.runId, node, attempt, provider: binding.provider, config: binding.config ?? {}, declaredOutputs: input.declaredOutputs.get(node) ?? [], workspace: deps.workspace, signal: controller.signal })
        if (found.state === 'not-started') await commit(abandonAttempt(status!, node))
        else if (found.state === 'lost') await commit(record(node, attempt, 'failed', { reason: 'AgentRestarted', message: found.message }))
        else {
          inflight.set(intent.runId, controller)
          liveOutput.watch(intent.runId, node, attempt, provider)
          follow(node, attempt, intent.runId, provider, found.result, controller)
        }
        continue
      }
      const known = await provider?.status?.(intent.runId)
      if (!known && deps.journal && !(await deps.journal.wasDispatched(intent.runId))) await commit(abandonAttempt(status!, node))
      else if (known && known.outcome !== 'pending') await commit(record(node, attempt, known.outcome, known.outcome === 'failed' ? { reason: known.reason, message: known.message } : { outputs: known.outputs, message: known.message }))
      else await commit(record(node, attempt, 'failed', { reason: 'AgentRestarted', message: `the runner restarted while attempt ${intent.runId} was in flight and its provider cannot tell how it ended` }))
    }
  }

  const perform = async (action: Action): Promise<void> => {
    switch (action.type) {
      case 'dispatch': {
        const provider = deps.providers.forUri(action.provider)
        const controller = new AbortController()
        inflight.set(action.runId, controller)
        await deps.journal?.markDispatched(action.runId)
        const request = { runId: action.runId, node: action.node, attempt: action.attempt, provider: action.provider, config: action.config ?? {}, inputs: action.inputs, declaredOutputs: input.declaredOutputs.get(action.node) ?? [], timeoutMs: action.timeoutMs, workspace: deps.workspace, signal: controller.signal }
        const started = provider ? provider.dispatch(request) : Promise.resolve<DispatchResult>({ outcome: 'failed', reason: 'UnknownProvider', message: `no provider handles "${action.provider}"` })
        liveOutput.watch(action.runId, action.node, action.attempt, provider)
        follow(action.node, action.attempt, action.runId, provider, started, controller)
        return
      }
      case 'cancel-attempt':
        inflight.get(action.runId)?.abort()
        return
      case 'activate-gate':
        gateRefs.set(action.node, action.gate)
        if (deps.gate) gates.set(action.node, await deps.gate(action.node, action.gate))
        return
      case 'poll-external':
        if (deps.external) externals.set(action.node, await deps.external(action.node))
        return
    }
  }

  for (;;) {
    while (completions.length) {
      const c = completions.shift()!
      if (c.result.outcome === 'pending') continue
      await liveOutput.settle(c.runId)
      const reported = deps.redactor === undefined ? c : { ...c, result: deps.redactor.redactValue(c.result), ...(c.acceptance === undefined ? {} : { acceptance: deps.redactor.redactValue(c.acceptance) }) }
      const recorded = record(c.node, c.attempt, c.result.outcome, c.result.outcome === 'failed' ? { reason: c.result.reason, message: c.result.message } : { outputs: c.result.outputs, message: c.result.message })
      await commit(recorded === status ? recorded : withAttemptDetails(recorded, reported), recorded === status ? [] : attemptLogs(reported))
      // The result is durable now: what the provider kept to re-attach after a crash can go.
      await c.provider?.release?.(c.runId).catch(() => undefined)
    }
    // Gates already reached are re-read every round: approvals arrive while the run waits.
    for (const [node, gate] of gateRefs) if (deps.gate) gates.set(node, await deps.gate(node, gate))
    const nowMs = deps.now()
    const result = reconcileExecution({
      ...input,
      status,
      now: iso(nowMs),
      nowMs,
      gates,
      externals,
      cancelRequested: deps.signal?.aborted ?? false,
      ...(retryPending && deps.retryRequested ? { retryRequested: deps.retryRequested } : {}),
      evaluate: deps.evaluate,
      jitter,
    })
    retryPending = false
    await commit(withDispatchedInputs(result.status, result.actions)) // durable intent before any effect
    for (const action of result.actions) await perform(action)
    if (TERMINAL_PHASES.has(status!.phase ?? '') && inflight.size === 0) return status!
    if (completions.length) continue
    // Only people can move a Blocked run on (claims, gate decisions) unless an External is polled.
    if (inflight.size === 0 && status!.phase === 'Blocked' && !waitsOnExternal(status!, deps.externalPolled ?? (() => true))) {
      const claimed = deps.waitForPeople ? await deps.waitForPeople(status!) : []
      for (const c of claimed) {
        const attempt = status!.nodeStatuses?.[c.node]?.attempt ?? 1
        await commit(record(c.node, attempt, c.outcome, { outputs: c.outputs, message: c.message }))
      }
      if (claimed.length) {
        idleRounds = 0
        continue
      }
      // One more round re-reads the gates; if a whole round changes nothing, stop where it is.
      const seen = JSON.stringify(status)
      if (seen !== idleStatus) {
        idleStatus = seen
        idleRounds = 0
      }
      if (idleRounds++ >= 1) return status!
      continue
    }
    idleRounds = 0
    const delay = Math.min(result.requeueAfterMs ?? Number.POSITIVE_INFINITY, deps.pollMs ?? 1000)
    await waitFor(delay, deps, (resume) => (wake = resume))
    wake = undefined
  }
}

/** Tells whether any node of a run has started (a run waiting for its Bindings has none). */
function hasStarted(status: ExecutionStatus | undefined): boolean {
  return status?.startTime !== undefined || Object.values(status?.nodeStatuses ?? {}).some((n) => n !== undefined && n.phase !== 'Pending')
}

function waitsOnExternal(status: ExecutionStatus, polled: (node: string) => boolean): boolean {
  return Object.entries(status.nodeStatuses ?? {}).some(([id, n]) => n?.phase === 'Blocked' && n.reason === 'AwaitingExternal' && polled(id))
}

/** Waits until `ms` elapse, a completion arrives (`register` hands out the resume hook) or the run is cancelled. */
async function waitFor(ms: number, deps: ExecutionRunDeps, register: (resume: () => void) => void): Promise<void> {
  const controller = new AbortController()
  const onAbort = (): void => controller.abort()
  deps.signal?.addEventListener('abort', onAbort, { once: true })
  register(() => controller.abort())
  try {
    await deps.sleep(ms, controller.signal)
  } finally {
    deps.signal?.removeEventListener('abort', onAbort)
  }
}

/** A deterministic value in [0, 1) from a runId (FNV-1a): the same attempt always waits the same. */
export function hashJitter(runId: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < runId.length; i++) {
    hash ^= runId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash / 0x100000000
}
