import { KIND_TABLE, resolveKind as resolveKindName, STATUS_KINDS } from '@planspec/core'
import { suggestClosest } from '@planspec/validator'
import { ClientUsageError } from './errors.js'

/** Resolves a kind as kubectl does: any case, singular, plural or short name (`ex`, `cap`); only the reconciled kinds (core's kind table). */
export function resolveKind(text: string): string {
  const kind = resolveKindName(text)
  if (kind === undefined || !KIND_TABLE[kind].hasStatus) {
    const plurals = STATUS_KINDS.map((k) => KIND_TABLE[k].plural)
    const hint = suggestClosest(text.toLowerCase(), [...plurals, ...STATUS_KINDS.map((k) => k.toLowerCase()), ...STATUS_KINDS.flatMap((k) => KIND_TABLE[k].shortNames)])
    throw new ClientUsageError(`unknown kind "${text}"${hint ? ` (did you mean "${hint}"?)` : ''}; one of: ${plurals.join(', ')}`)
  }
  return kind
}
