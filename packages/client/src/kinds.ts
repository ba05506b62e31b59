import { KIND_TABLE, resolveKind as resolveKindName, STATUS_KINDS } from '@planspec/core'
import { ClientUsageError } from './errors.js'

/** Resolves a kind as kubectl does: any case, singular, plural or short name (`ex`, `cap`); only the reconciled kinds (core's kind table). */
export function resolveKind(text: string): string {
  const kind = resolveKindName(text)
  if (kind === undefined || !KIND_TABLE[kind].hasStatus) throw new ClientUsageError(`unknown kind "${text}"; one of: ${STATUS_KINDS.map((k) => KIND_TABLE[k].plural).join(', ')}`)
  return kind
}
