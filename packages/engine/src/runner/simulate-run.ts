import { criticalPath, parseDuration, topologicalLayers, type ExecutionStatus } from '@planspec/core'
import type { DispatchResult, Provider } from '../types.js'
import type { PreparedRun, ResourceLike } from './prepare-run.js'
import { createCelEvaluator } from './cel-evaluator.js'
import { runExecution } from './run-execution.js'

/** A problem that would stop the run, coded like the validator's findings. */
export interface SimulationProblem {
  readonly code: 'PS4009' | 'PS4012' | 'PS4013'
  readonly severity: 'error'
  readonly node: string
  readonly message: string
}

/** One node in the simulated timeline (virtual milliseconds from the start). */
export interface SimulatedNode {
  readonly id: string
  readonly kind: string
  readonly provider?: string
  readonly layer: number
  readonly startMs: number
  readonly endMs: number
  readonly phase: string
  readonly note?: string
}

/** A gate the run will wait on, and who may approve it. */
export interface SimulatedGate {
  readonly node: string
  readonly gate: string
  readonly reviewers: readonly string[]
  readonly requiredApprovers: number
}

/** What `planspec simulate` reports. */
export interface SimulationReport {
  readonly execution: string
  readonly plan: string
  readonly layers: readonly (readonly string[])[]
  /** Nodes in the order the simulated run started them. */
  readonly order: readonly string[]
  readonly nodes: readonly SimulatedNode[]
  readonly criticalPath: { readonly nodes: readonly string[]; readonly durationMs: number }
  readonly gates: readonly SimulatedGate[]
  readonly problems: readonly SimulationProblem[]
  /** The phase the simulated run ended in (every provider succeeding, every gate approved). */
  readonly outcome: string
}

const KNOWN_SCHEME = /^(exec|tool|http|https|mcp|human|agent|noop):\/\//
const DEFAULT_TASK_MS = 60_000

/**
 * Simulates one run deterministically on a virtual clock (`planspec simulate`): every provider
 * succeeds with placeholder outputs, every gate is approved, and each Task or External node takes
 * its `timeout` (1 minute when it has none). Reports the provider of each node, the layers and the
 * order nodes start in, the critical path, the gates that will block and who may approve them,
 * and every problem that would stop the real run (unbound capability, unknown provider, a gate
 * that cannot be approved).
 *
 * @example
 * const report = await simulateRun(prepareRun(resources, { name: 'release-1' }), resources)
 */
export async function simulateRun(prepared: PreparedRun, resources: readonly ResourceLike[], execution: string): Promise<SimulationReport> {
  const { input, gates: gateRefs } = prepared
  const graph = input.graph
  const problems: SimulationProblem[] = []
  for (const [node, binding] of input.bindings) {
    if (binding.outcome !== 'bound') problems.push({ code: 'PS4012', severity: 'error', node, message: binding.message })
    else if (!KNOWN_SCHEME.test(binding.provider)) problems.push({ code: 'PS4009', severity: 'error', node, message: `node "${node}" is bound to "${binding.provider}", a provider no scheme handles; it would fail with UnknownProvider` })
  }
  const gates: SimulatedGate[] = []
  for (const [node, ref] of gateRefs) {
    const gate = resources.find((r) => r.kind === 'Gate' && r.name === ref.name && r.namespace === ref.namespace)
    if (!gate) {
      problems.push({ code: 'PS4013', severity: 'error', node, message: `node "${node}" waits on Gate "${ref.namespace}/${ref.name}", which does not exist` })
      continue
    }
    const spec = gate.value.spec as { reviewers?: string[]; requiredApprovers?: number }
    const reviewers = spec.reviewers ?? []
    const required = spec.requiredApprovers ?? 1
    gates.push({ node, gate: ref.name, reviewers, requiredApprovers: required })
    // Teams may hold any number of people; individual subjects count one each.
    const individuals = new Set(reviewers.filter((r) => !r.startsWith('team:')))
    if (reviewers.length > 0 && individuals.size === reviewers.length && individuals.size < required) {
      problems.push({ code: 'PS4013', severity: 'error', node, message: `Gate "${ref.name}" needs ${required} distinct approvers but lists only ${individuals.size} reviewer${individuals.size === 1 ? '' : 's'}` })
    }
  }

  // Static timeline (core's criticalPath): each node starts when its hard predecessors end.
  const durations = new Map<string, number>()
  for (const node of graph.nodes) {
    const timeout = (node as { timeout?: string }).timeout
    const parsed = timeout ? parseDuration(timeout) : undefined
    durations.set(node.id, node.kind === 'Task' || node.kind === 'External' ? (parsed?.ok ? parsed.ms : DEFAULT_TASK_MS) : 0)
  }
  const layered = topologicalLayers(graph)
  const layers = Array.isArray(layered) ? layered : []
  const timeline = criticalPath(graph, (id) => durations.get(id) ?? 0)
  const start = timeline.start
  const end = timeline.end

  // Virtual run: the real engine and controllers, with simulated providers and an approving gate.
  let clock = Date.UTC(2026, 0, 1)
  const order: string[] = []
  const simulated: Provider = {
    schemes: [],
    async dispatch(req): Promise<DispatchResult> {
      order.push(req.node)
      return { outcome: 'succeeded', outputs: Object.fromEntries(req.declaredOutputs.map((o) => [o, `<${req.node}.${o}>`])) }
    },
  }
  let status: ExecutionStatus | undefined
  const hasBlockingProblem = problems.some((p) => p.code === 'PS4012')
  if (!hasBlockingProblem && layers.length) {
    status = await runExecution(
      { ...input, bindings: new Map([...input.bindings].map(([k, b]) => [k, b.outcome === 'bound' ? { ...b, claimable: false } : b])) },
      {
        providers: { forUri: () => simulated },
        evaluate: createCelEvaluator(),
        now: () => clock,
        sleep: async (ms) => void (clock += Number.isFinite(ms) ? ms : 1000),
        workspace: '/nonexistent-simulation-workspace',
        gate: async () => ({ phase: 'Approved' }),
        external: async () => ({ state: 'succeeded' }),
        pollMs: 1,
      },
    )
  }
  const nodes: SimulatedNode[] = graph.nodes.filter((n) => n.kind !== 'Group').map((n) => {
    const binding = input.bindings.get(n.id)
    const phase = status?.nodeStatuses?.[n.id]?.phase ?? 'Pending'
    const claimable = binding?.outcome === 'bound' && binding.claimable
    const note = n.kind === 'Gate' ? 'waits for approval' : claimable ? 'waits for a worker to claim and complete it' : phase === 'Skipped' ? `skipped (${status?.nodeStatuses?.[n.id]?.reason ?? 'when'})` : undefined
    return { id: n.id, kind: n.kind, provider: binding?.outcome === 'bound' ? binding.provider : undefined, layer: layers.findIndex((l) => l.includes(n.id)) + 1, startMs: start.get(n.id) ?? 0, endMs: end.get(n.id) ?? 0, phase, note }
  })
  return {
    execution,
    plan: prepared.planName,
    layers,
    order,
    nodes,
    criticalPath: { nodes: timeline.nodes, durationMs: timeline.durationMs },
    gates,
    problems,
    outcome: hasBlockingProblem ? 'Failed' : (status?.phase ?? 'Pending'),
  }
}
