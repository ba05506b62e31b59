import { suggestClosest } from '@planspec/validator'
import { kindInfo } from '@planspec/schemas'
import { ClientUsageError } from './errors.js'

/** A kind as the API serves it: its name, path plural and scope. */
export interface ServerKind {
  readonly kind: string
  readonly plural: string
  readonly namespaced: boolean
}

const SHORT: Readonly<Record<string, string>> = { exec: 'Execution', ex: 'Execution', cap: 'Capability', caps: 'Capability' }

/**
 * Resolves a kind typed on the command line, as kubectl does: any case, singular, plural or a
 * short name (`ex`, `cap`); the RBAC kinds (`roles`, `clusterrolebindings`, ...) too. Throws a
 * `UsageError` naming the choices for anything else.
 *
 * @example
 * resolveServerKind('executions') // { kind: 'Execution', plural: 'executions', namespaced: true }
 */
export function resolveServerKind(text: string): ServerKind {
  const wanted = text.toLowerCase()
  const short = SHORT[wanted]
  for (const [kind, info] of Object.entries(kindInfo)) {
    if (kind === 'List') continue
    if (kind === short || kind.toLowerCase() === wanted || info.plural === wanted) return { kind, plural: info.plural, namespaced: info.namespaced }
  }
  const names = Object.entries(kindInfo).filter(([kind]) => kind !== 'List').flatMap(([kind, info]) => [kind.toLowerCase(), info.plural])
  const hint = suggestClosest(wanted, [...names, ...Object.keys(SHORT)])
  throw new ClientUsageError(`unknown kind "${text}"${hint ? ` (did you mean "${hint}"?)` : ''}; one of: executions, plans, goals, gates, capabilities, bindings, roles, rolebindings, clusterroles, clusterrolebindings`)
}
