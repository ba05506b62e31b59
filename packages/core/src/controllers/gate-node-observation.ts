import type { GateNodeObservation } from '../execution/execution-types.js'
import type { ExecutionDecision, GateStatus } from '../model/generated.js'

/** The Execution whose Gate node asks: its name, uid and run content digest. */
export interface GateNodeSubject {
  readonly name: string
  readonly uid: string
  readonly digest: string
}

/**
 * Derives what an Execution's Gate node observes from the Gate resource (DECISIONS §9): the
 * Gate's decision for that Execution only. `Approved` or `Rejected` only when the Gate's entry for
 * the Execution's uid was decided for the Gate's current generation and for the same run content
 * digest; `Waiting` while its entry waits (or its decision is stale); `Pending` while the Gate has
 * no entry for it yet (the engine then asks the shell to activate the Gate); `NotFound` when the
 * Gate does not exist. The message says why the node still waits, e.g. `approved for r1, not for
 * r2` or `approved digest sha256:…, now sha256:…`. Pure; git mode and server mode share it.
 *
 * @example
 * ```ts
 * gateNodeObservation(gate, { name: 'r2', uid: 'u2', digest }) // { phase: 'Pending', message: 'approved for r1, not for r2' }
 * ```
 */
export function gateNodeObservation(
  gate: { readonly metadata: { readonly generation?: number }; readonly status?: GateStatus } | undefined,
  subject: GateNodeSubject,
): GateNodeObservation {
  if (gate === undefined) return { phase: 'NotFound' }
  const generation = gate.metadata.generation ?? 1
  const entries = gate.status?.executions ?? []
  const entry = entries.find((candidate) => candidate.uid === subject.uid)
  if (entry !== undefined && entry.digest !== subject.digest) {
    const verb = entry.phase === 'Waiting' ? 'waiting for' : entry.phase.toLowerCase()
    return { phase: 'Waiting', message: `${verb} digest ${entry.digest}, now ${subject.digest}` }
  }
  if (entry !== undefined && entry.phase !== 'Waiting' && entry.decidedGeneration === generation) {
    return { phase: entry.phase, ...(entry.message === undefined ? {} : { message: entry.message }) }
  }
  const others = decidedFor(entries.filter((candidate) => candidate.uid !== subject.uid && candidate.phase !== 'Waiting'))
  const notForThis = others === undefined ? undefined : `${others}, not for ${subject.name}`
  if (entry === undefined) return { phase: 'Pending', ...(notForThis === undefined ? {} : { message: notForThis }) }
  const message = [entry.message, notForThis].filter((part): part is string => part !== undefined).join('; ')
  return { phase: 'Waiting', ...(message === '' ? {} : { message }) }
}

/** `approved for a, b` / `rejected for c` over the decided entries of other Executions, newest first. */
function decidedFor(entries: readonly ExecutionDecision[]): string | undefined {
  if (entries.length === 0) return undefined
  const names = (phase: string): string[] => entries.filter((entry) => entry.phase === phase).map((entry) => entry.name).reverse()
  const approved = names('Approved')
  const rejected = names('Rejected')
  return [approved.length > 0 ? `approved for ${approved.join(', ')}` : undefined, rejected.length > 0 ? `rejected for ${rejected.join(', ')}` : undefined]
    .filter((part): part is string => part !== undefined)
    .join(', ')
}
