import { suggestClosest } from '@planspec/validator'
import { ClientUsageError } from './errors.js'

const KINDS: Readonly<Record<string, string>> = {
  execution: 'Execution', executions: 'Execution', exec: 'Execution', ex: 'Execution',
  plan: 'Plan', plans: 'Plan',
  goal: 'Goal', goals: 'Goal',
  gate: 'Gate', gates: 'Gate',
  capability: 'Capability', capabilities: 'Capability', cap: 'Capability', caps: 'Capability',
  binding: 'Binding', bindings: 'Binding',
}

/** Resolves a kind as kubectl does: any case, singular, plural or short name (`ex`, `cap`). */
export function resolveKind(text: string): string {
  const kind = KINDS[text.toLowerCase()]
  const hint = kind === undefined ? suggestClosest(text.toLowerCase(), Object.keys(KINDS)) : undefined
  if (kind === undefined) throw new ClientUsageError(`unknown kind "${text}"${hint ? ` (did you mean "${hint}"?)` : ''}; one of: executions, plans, goals, gates, capabilities, bindings`)
  return kind
}
