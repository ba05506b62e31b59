/**
 * A tiny stand-in for the agent's side of comment commands: Gates and Executions in memory, and
 * an `onCommand` that records requests (once per request id) and decides Gates with core's real
 * Gate controller (`decideGate`), looking reviewers up through the fake GitHub as the agent would.
 */
import { decideGate, type GateDecisionTarget, type WaitingExecution } from '@planspec/core'
import {
  createRepositoryAccessLookup,
  resolveReviewerFacts,
  type CommandRecordResult,
  type CommandRequest,
  type CommandResolver,
  type GitHubClient,
  type ResolvedExecution,
  type ResolvedGate,
} from '../../src/index.js'

export interface WorldGate {
  namespace: string
  name: string
  gate: GateDecisionTarget & { metadata: { generation: number } }
  changeAuthor?: string
  /** The one Execution waiting on the Gate, created by the change author. */
  waiting: WaitingExecution[]
}

const RUN_DIGEST = `sha256:${'0'.repeat(64)}`

export interface CommandWorld {
  readonly gates: Map<string, WorldGate>
  readonly executions: Map<string, ResolvedExecution & { phase: string }>
  readonly requests: CommandRequest[]
  readonly resolver: CommandResolver
  onCommand(request: CommandRequest): Promise<CommandRecordResult>
  addGate(name: string, spec: { reviewers?: string[]; requiredApprovers?: number }, changeAuthor?: string): WorldGate
  /** Bumps a Gate's generation, as a spec edit does. */
  editGate(name: string): void
  phaseOf(name: string): string | undefined
}

export function createCommandWorld(options: { octokit: GitHubClient; owner: string; repo: string; now: () => string }): CommandWorld {
  const gates = new Map<string, WorldGate>()
  const executions = new Map<string, ResolvedExecution & { phase: string }>()
  const requests: CommandRequest[] = []
  const key = (namespace: string | undefined, name: string): string => `${namespace ?? 'default'}/${name}`
  const resolver: CommandResolver = {
    findGate: async (target): Promise<ResolvedGate | undefined> => gates.get(key(target.namespace, target.name)),
    findExecution: async (target) => executions.get(key(target.namespace, target.name)),
    findExecutionsWithNode: async (node) => [...executions.values()].filter((e) => e.nodes?.includes(node)),
  }
  return {
    gates,
    executions,
    requests,
    resolver,
    async onCommand(request) {
      if (requests.some((r) => r.id === request.id)) return { outcome: 'recorded', message: 'already recorded' }
      if (request.kind === 'execution' && request.action === 'retry') {
        const execution = executions.get(key(request.execution.namespace, request.execution.name))
        if (execution?.phase !== 'Failed') return { outcome: 'refused', message: `only a Failed Execution can be retried; it is ${execution?.phase ?? 'gone'}` }
      }
      requests.push(request)
      if (request.kind === 'gate') {
        const world = gates.get(key(request.gate.namespace, request.gate.name)) as WorldGate
        const history = world.gate.status?.reviewHistory ?? []
        const lookup = createRepositoryAccessLookup(options)
        const facts = await resolveReviewerFacts({ gate: world.gate, subjects: [...history.map((h) => h.reviewer), request.review.reviewer], lookup })
        const { status } = decideGate({ gate: world.gate, waiting: world.waiting, actions: [request.review], now: options.now(), ...facts })
        world.gate = { ...world.gate, status }
      }
      return { outcome: 'recorded' }
    },
    addGate(name, spec, changeAuthor) {
      const waiting = [{ name: `${name}-run`, namespace: 'default', uid: `uid-${name}-run`, digest: RUN_DIGEST, ...(changeAuthor === undefined ? {} : { changeAuthor }) }]
      const target = { metadata: { generation: 1 }, spec }
      const gate: WorldGate = {
        namespace: 'default',
        name,
        gate: { ...target, status: decideGate({ gate: target, waiting, actions: [], now: options.now(), teams: new Map(), writers: [] }).status },
        ...(changeAuthor === undefined ? {} : { changeAuthor }),
        waiting,
      }
      gates.set(key('default', name), gate)
      return gate
    },
    editGate(name) {
      const world = gates.get(key('default', name)) as WorldGate
      const generation = world.gate.metadata.generation + 1
      world.gate = { ...world.gate, metadata: { generation } }
      const lookupFree = decideGate({ gate: world.gate, waiting: world.waiting, actions: [], now: options.now(), teams: new Map(), writers: [] })
      world.gate = { ...world.gate, status: lookupFree.status }
    },
    phaseOf(name) {
      return gates.get(key('default', name))?.gate.status?.phase
    },
  }
}
