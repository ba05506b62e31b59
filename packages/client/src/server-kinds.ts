import { KIND_TABLE, kindNames, resolveKind } from '@planspec/core'
import { suggestClosest } from '@planspec/validator'
import { ClientUsageError } from './errors.js'

/** A kind as the API serves it: its name, path plural and scope. */
export interface ServerKind {
  readonly kind: string
  readonly plural: string
  readonly namespaced: boolean
}

/**
 * Resolves a kind typed on the command line, as kubectl does: any case, singular, plural or a
 * short name (`ex`, `cap`); the RBAC kinds (`roles`, `clusterrolebindings`, ...) too. Throws a
 * `UsageError` naming the choices for anything else. The words come from core's kind table.
 *
 * @example
 * resolveServerKind('executions') // { kind: 'Execution', plural: 'executions', namespaced: true }
 */
export function resolveServerKind(text: string): ServerKind {
  const kind = resolveKind(text)
  if (kind !== undefined && kind !== 'List') return { kind, plural: KIND_TABLE[kind].plural, namespaced: KIND_TABLE[kind].namespaced }
  const kinds = kindNames((_, k) => k !== 'List')
  const hint = suggestClosest(text.toLowerCase(), kinds.flatMap((k) => [k.toLowerCase(), KIND_TABLE[k].plural, ...KIND_TABLE[k].shortNames]))
  throw new ClientUsageError(`unknown kind "${text}"${hint ? ` (did you mean "${hint}"?)` : ''}; one of: ${kinds.map((k) => KIND_TABLE[k].plural).join(', ')}`)
}
