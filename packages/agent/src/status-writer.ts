import { parseObjectKey, type Lease, type Redactor } from '@planspec/core'
import { createWorkQueue, type WorkQueueTimers } from '@planspec/engine'
import { isLeaseLive, LeaseLostError, liveLeaseHolder, releasedLease, takeLease } from '@planspec/git-store'
import type { AgentRepo, StatusDoc, StatusSnapshot } from './types.js'
import type { LogBlob } from '@planspec/git-store'

/** How a push that lost the compare-and-swap race waits before reading again (core's one formula). */
const PUSH_BACKOFF = { baseMs: 100, maxMs: 3200 } as const

/** Says this agent no longer holds the lease of `subject` (git-store's one LeaseLostError, terminal). */
function leaseLost(subject: string, holder: string | undefined): LeaseLostError {
  return new LeaseLostError(`lease of ${subject} is held by ${holder ?? 'nobody'}; this agent stops running it`, { data: { subject, holder: holder ?? null } })
}

/** What a write asks for: documents and leases, merged with other writes into one commit. */
export interface PendingWrite {
  readonly docs?: ReadonlyMap<string, StatusDoc | null>
  /** Attempt logs committed with the Execution documents (dropped with them when their lease is lost). */
  readonly logs?: readonly LogBlob[]
  readonly leases?: ReadonlyMap<string, Lease | null>
  /**
   * A round's write: after a lost race, the leases and Execution documents another holder took
   * are dropped from it and the rest is written. Without it (a run saving its status) the whole
   * write fails with LeaseLostError.
   */
  readonly partial?: boolean
}

/** The effects the writer needs. */
export interface StatusWriterDeps {
  readonly repo: AgentRepo
  /** This agent's lease holder id. */
  readonly holder: string
  readonly now: () => number
  /** How many times a conflicting push is re-read and retried before giving up (default 20). */
  readonly maxAttempts?: number
  /** Told each time a push lost a race (for metrics and logs). */
  readonly onConflict?: () => void
  /** Waits before a retry after a lost race (default: a timer). */
  readonly pause?: (ms: number) => Promise<void>
  /** Masks known secrets in every document before it is committed (the status branch is a sink, DECISIONS §9). */
  readonly redactor?: Redactor
}

/** The status writer: every status and lease change of the agent goes through it. */
export interface StatusWriter {
  /** Queues a write; resolves once a pushed commit holds it (group commit with concurrent writes). */
  write(write: PendingWrite, sourceRevision: string, message: string): Promise<void>
  /** Adopts a fresh read of the status branch (head and leases). */
  adopt(snapshot: StatusSnapshot): void
  /** The latest known status branch snapshot. */
  snapshot(): StatusSnapshot | undefined
  /** Subjects whose lease this agent holds, as of the last successful push. */
  held(): ReadonlySet<string>
}

type Waiter = { readonly write: PendingWrite; readonly resolve: () => void; readonly reject: (error: unknown) => void }

/**
 * Creates the status writer: writes that arrive while a push is in flight are merged into the
 * next commit (one commit per burst, DECISIONS §6), every push is compare-and-swap, and a lost
 * race re-reads the branch and re-decides: Execution documents and leases are kept only where no
 * other live holder has taken the lease meanwhile; the writes that lose are rejected with
 * {@link LeaseLostError} so their runner stops. Nothing already pushed is ever rewritten.
 *
 * @example
 * const writer = createStatusWriter({ repo, holder: 'agent-a', now: clock })
 * await writer.write({ docs: new Map([[subject, doc]]) }, revision, 'status: 1 execution')
 */
export function createStatusWriter(deps: StatusWriterDeps): StatusWriter {
  let current: StatusSnapshot | undefined
  const heldLeases = new Set<string>()
  let queue: { waiter: Waiter; sourceRevision: string; message: string }[] = []

  const leaseOwner = (subject: string): string | undefined => liveLeaseHolder(current?.leases.get(subject), deps.now())
  /** May this agent write `subject` (an Execution) or take its lease now? */
  const mayWrite = (subject: string): boolean => {
    const owner = leaseOwner(subject)
    return owner === undefined || owner === deps.holder
  }

  /** The writes being pushed as one commit, until the push lands or fails for good. */
  let batch: { live: Waiter[]; readonly last: { readonly sourceRevision: string; readonly message: string }; readonly count: number; attempts: number; stale: boolean } | undefined
  const maxAttempts = deps.maxAttempts ?? 20
  const fail = (waiters: readonly Waiter[], error: unknown): void => {
    for (const waiter of waiters) waiter.reject(error)
  }

  /**
   * One push of the batch (taking the queued writes as the batch when there is none). A push that
   * lost the compare-and-swap race throws, and the work queue retries it after core's backoff,
   * re-reading the branch first; any other failure rejects the batch's writers at once.
   */
  const pushBatch = async (): Promise<{ requeueAfterMs?: number } | void> => {
    if (batch === undefined) {
      const taken = queue
      queue = []
      if (taken.length === 0) return
      batch = { live: taken.map((entry) => entry.waiter), last: taken[taken.length - 1] as { sourceRevision: string; message: string }, count: taken.length, attempts: 0, stale: false }
    }
    const b = batch
    const done = (): { requeueAfterMs?: number } => {
      batch = undefined
      // Writes that came meanwhile are the next batch.
      return queue.length > 0 ? { requeueAfterMs: 0 } : {}
    }
    if (b.stale) {
      try {
        current = await deps.repo.readStatus()
      } catch (readError) {
        fail(b.live, readError)
        return done()
      }
      for (const subject of [...heldLeases]) if (leaseOwner(subject) !== deps.holder) heldLeases.delete(subject)
      b.stale = false
    }
    b.attempts++
    // Drop what another holder took meanwhile: those writers learn they lost their lease.
    b.live = b.live.flatMap((waiter) => {
      const logged = (waiter.write.logs ?? []).map((l) => `execution/${l.namespace}/${l.execution}`)
      const lost = [...(waiter.write.leases?.keys() ?? []), ...[...(waiter.write.docs?.keys() ?? [])].filter(isExecutionSubject), ...logged].filter((s) => !mayWrite(s))
      if (lost.length === 0) return [waiter]
      if (waiter.write.partial !== true) {
        waiter.reject(leaseLost(lost[0] as string, leaseOwner(lost[0] as string)))
        return []
      }
      const gone = new Set(lost)
      const keep = <V>(map: ReadonlyMap<string, V> | undefined): Map<string, V> => new Map([...(map ?? [])].filter(([k]) => !gone.has(k)))
      const logs = (waiter.write.logs ?? []).filter((l) => !gone.has(`execution/${l.namespace}/${l.execution}`))
      return [{ ...waiter, write: { partial: true, docs: keep(waiter.write.docs), leases: keep(waiter.write.leases), logs } }]
    })
    if (b.live.length === 0) return done()
    const docs = new Map<string, StatusDoc | null>()
    const leases = new Map<string, Lease | null>()
    const logs: LogBlob[] = []
    for (const waiter of b.live) {
      for (const log of waiter.write.logs ?? []) logs.push(deps.redactor === undefined ? log : { ...log, text: deps.redactor.redact(log.text) })
      for (const [k, v] of waiter.write.docs ?? []) docs.set(k, v === null || deps.redactor === undefined ? v : deps.redactor.redactValue(v))
      for (const [k, v] of waiter.write.leases ?? []) leases.set(k, v)
    }
    try {
      // Leases are decided again on the head this commit goes on (after a lost race, a newer
      // one), so epochs only grow: git-store's decisions, as when a lease is written alone.
      for (const [k, v] of leases) {
        const next = v === null ? null : rebaseLease(current?.leases.get(k), v, k, deps.now())
        if (next === undefined) leases.delete(k)
        else leases.set(k, next)
      }
      const result = await deps.repo.writeStatus({ docs, leases, ...(logs.length === 0 ? {} : { logs }), sourceRevision: b.last.sourceRevision, message: b.count === 1 ? b.last.message : `${b.last.message} (+${b.count - 1} more)` }, current?.head)
      const nextLeases = new Map(current?.leases ?? [])
      for (const [k, v] of leases) {
        if (v === null) {
          nextLeases.delete(k)
          heldLeases.delete(k)
        } else {
          nextLeases.set(k, v)
          if (v.holder === deps.holder && isLeaseLive(v, deps.now())) heldLeases.add(k)
          else heldLeases.delete(k)
        }
      }
      const nextDocs = new Map(current?.docs ?? [])
      for (const [k, v] of docs) {
        if (v === null) nextDocs.delete(k)
        else nextDocs.set(k, v)
      }
      current = { requests: [], problems: new Map(), ...current, head: result.head, leases: nextLeases, docs: nextDocs }
      for (const waiter of b.live) waiter.resolve()
      return done()
    } catch (error) {
      if ((error as { code?: string }).code !== 'PLANSPEC_ERR_GIT_CONFLICT' || b.attempts >= maxAttempts) {
        fail(b.live, error)
        return done()
      }
      deps.onConflict?.()
      // Agents that collided back off a little (the queue's backoff: core's jittered formula) so
      // they do not collide again, then read the branch again and re-decide.
      b.stale = true
      throw error
    }
  }

  // The engine's one work queue, with one key: pushes one after the other, retries of a lost race
  // after core's backoff (writes that arrive meanwhile wait for the next batch, so they never cut
  // a backoff short).
  const pushes = createWorkQueue<'push'>({ process: pushBatch, backoff: PUSH_BACKOFF, ...(deps.pause === undefined ? {} : { timers: pausedTimers(deps.pause, deps.now) }) })

  return {
    write(write, sourceRevision, message) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ waiter: { write, resolve, reject }, sourceRevision, message })
        if (batch === undefined) pushes.add('push')
      })
    },
    adopt(snapshot) {
      current = snapshot
      for (const subject of [...heldLeases]) if (leaseOwner(subject) !== deps.holder) heldLeases.delete(subject)
      for (const [subject, lease] of snapshot.leases) if (liveLeaseHolder(lease, deps.now()) === deps.holder) heldLeases.add(subject)
    },
    snapshot: () => current,
    held: () => heldLeases,
  }
}

/** Execution documents are guarded by leases; other kinds are derived and written by any agent. */
function isExecutionSubject(subject: string): boolean {
  return subject.startsWith('execution/')
}

/** The work queue's timers over an injected pause (tests make retries immediate). */
function pausedTimers(pause: (ms: number) => Promise<void>, now: () => number): WorkQueueTimers {
  return {
    setTimeout: (callback, ms) => void pause(ms).then(callback),
    clearTimeout: () => undefined,
    soon: (callback) => setImmediate(callback),
    now,
  }
}

/**
 * The lease `decided` (by `decideLeases` or a release) as it applies on top of `current`: a
 * taking (it lasts) is taken again with the same length, a release releases; undefined when a
 * release has nothing left to release. Throws `LeaseHeldError` only when another live holder has
 * it, which the writer rules out first.
 */
function rebaseLease(current: Lease | undefined, decided: Lease, subject: string, nowMs: number): Lease | undefined {
  if (current !== undefined && current.holder === decided.holder && current.epoch === decided.epoch && current.renewedAt === decided.renewedAt && current.expiresAt === decided.expiresAt) return decided
  const key = parseObjectKey(subject)
  const request = { namespace: key?.namespace ?? decided.namespace, name: key?.name ?? decided.name, holder: decided.holder }
  const length = Date.parse(decided.expiresAt) - Date.parse(decided.renewedAt)
  return length > 0 ? takeLease(current, request, nowMs, length) : releasedLease(current, decided.holder, nowMs)
}
