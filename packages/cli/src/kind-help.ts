import { KIND_TABLE, kindNames, STATUS_KINDS } from '@planspec/core'

/** The reconciled kinds by plural, for `<kind>` help: derived from core's kind table. */
export const RECONCILED_KINDS_HELP = STATUS_KINDS.map((kind) => KIND_TABLE[kind].plural).join(', ')

/** The RBAC kinds a server also serves, by plural (no status, not in git mode). */
export const RBAC_KINDS_HELP = kindNames((facts, kind) => !facts.hasStatus && kind !== 'List')
  .map((kind) => KIND_TABLE[kind].plural)
  .join(', ')
