import type { Lease } from '@planspec/core'
import { stringify } from 'yaml'
import { gitDiagnostic } from './diagnostic-codes.js'
import { isRecord, parseDocument } from './internal/parse-document.js'
import type { ParsedStatusBlob } from './internal/status-layout.js'
import type { GitRepository } from './types.js'
import type { AgentKeyring } from './agent-key.js'

/** An Execution's lease: core's model of the status branch (DECISIONS §6). */
export type { Lease } from '@planspec/core'

/** Options shared by the lease functions. */
export interface LeaseOptions extends GitRepository {
  /** The status branch; `planspec/status` by default. */
  readonly branch?: string
  /** The tracked branch, which this never writes (refused as `branch`); `main` by default. */
  readonly trackedBranch?: string
  /** The Execution leased. */
  readonly execution: { readonly namespace: string; readonly name: string }
  /** Who takes, renews or releases the lease (an agent id, 1-256 characters). */
  readonly holder: string
  /** How long a lease lasts from its last renewal; 60 s by default. */
  readonly durationMs?: number
  /** Clock, milliseconds since the epoch; the system clock by default. */
  readonly now?: () => number
  /** Compare-and-swap attempts before giving up on a busy branch; 5 by default. */
  readonly maxAttempts?: number
  /** The agents' key: the lease is decided on, and written to, the agents' proven view (DECISIONS §9). */
  readonly agentKey?: AgentKeyring
}

const CONTROL = /[\u0000-\u001f\u007f]/
const MAX_LEASE_BYTES = 16 * 1024

/** A lease written together with statuses by `writeStatusCommit` (null removes the lease file). */
export interface LeaseChange {
  readonly namespace: string
  readonly name: string
  readonly lease: Lease | null
}

/** Returns why a lease cannot be written for the Execution `key`, or undefined when it can. */
export function leaseProblem(lease: Lease, key: { readonly namespace: string; readonly name: string }): string | undefined {
  if (lease.namespace !== key.namespace || lease.name !== key.name) return 'the lease must name the Execution it is written for'
  if (!isHolder(lease.holder)) return 'holder must be 1-256 characters without control characters'
  if (!Number.isInteger(lease.epoch) || lease.epoch < 1) return 'epoch must be a positive integer'
  if (![lease.acquiredAt, lease.renewedAt, lease.expiresAt].every((t) => typeof t === 'string' && !Number.isNaN(Date.parse(t)))) return 'acquiredAt, renewedAt and expiresAt must be times'
  return undefined
}

/** Tells whether a holder id is acceptable: 1 to 256 characters, no control characters. */
export function isHolder(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 && !CONTROL.test(value)
}

/** Renders a lease file. */
export function renderLease(lease: Lease): string {
  return stringify(
    {
      apiVersion: 'planspec.io/v1alpha1',
      kind: 'Lease',
      target: { kind: 'Execution', namespace: lease.namespace, name: lease.name },
      holder: lease.holder,
      epoch: lease.epoch,
      acquiredAt: lease.acquiredAt,
      renewedAt: lease.renewedAt,
      expiresAt: lease.expiresAt,
    },
    { lineWidth: 0 },
  )
}

/** Parses a lease file; anything else gives an `invalid` result with a PS7012 diagnostic. Never throws. */
export function parseLease(path: string, bytes: Uint8Array, key: { readonly namespace: string; readonly name: string }): ParsedStatusBlob {
  const invalid = (why: string): ParsedStatusBlob => ({ type: 'invalid', diagnostic: gitDiagnostic('PS7012', path, `${path}: ${why}; the lease is treated as absent`, { kind: 'Execution', name: key.name }) })
  const parsed = parseDocument(path, bytes, MAX_LEASE_BYTES)
  if (parsed.error !== undefined) return invalid(parsed.error)
  const doc = parsed.value
  if (!isRecord(doc) || doc.kind !== 'Lease') return invalid('the document must be a Lease')
  const target = doc.target
  if (!isRecord(target) || target.kind !== 'Execution' || target.namespace !== key.namespace || target.name !== key.name) return invalid('target must name the Execution the path names')
  if (!isHolder(doc.holder)) return invalid('holder must be a non-empty string')
  if (typeof doc.epoch !== 'number' || !Number.isInteger(doc.epoch) || doc.epoch < 1) return invalid('epoch must be a positive integer')
  const times = [doc.acquiredAt, doc.renewedAt, doc.expiresAt]
  if (!times.every((t) => typeof t === 'string' && !Number.isNaN(Date.parse(t)))) return invalid('acquiredAt, renewedAt and expiresAt must be times')
  const [acquiredAt, renewedAt, expiresAt] = times as [string, string, string]
  return { type: 'lease', value: { namespace: key.namespace, name: key.name, holder: doc.holder, epoch: doc.epoch, acquiredAt, renewedAt, expiresAt } }
}
