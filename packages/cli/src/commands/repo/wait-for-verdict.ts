import type { DesiredItem, GitAgentRepo, RequestAction, StatusSnapshot } from '@planspec/agent'
import { parseDuration, type ExecutionStatus, type GateStatus } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../../io.js'

/** What {@link waitForVerdict} waits for. */
export interface VerdictWait {
  /** The request id (file name without `.yaml`). */
  readonly id: string
  readonly action: RequestAction
  readonly item: DesiredItem
  /** How long, a duration (`2m`). */
  readonly waitFor: string
}

/** The agent's verdict on a request, once it has one. */
type Verdict = { readonly counted: true; readonly message: string } | { readonly counted: false; readonly message: string }

/**
 * Waits until the agent has judged a request (polling the status branch every second) and says
 * what it decided: exit 0 only when the action counted (a Gate's review history marks it counted;
 * a retry or completion was applied; a cancel ended the run), 1 when it was refused (with the
 * reason the agent recorded) or when no verdict came in time.
 */
export async function waitForVerdict(repo: GitAgentRepo, wait: VerdictWait, io: CommandIO): Promise<number> {
  const parsed = parseDuration(wait.waitFor)
  if (!parsed.ok || parsed.ms <= 0) throw new UsageError(`--wait must be a duration such as 2m, got ${JSON.stringify(wait.waitFor)}`)
  const deadline = Date.now() + parsed.ms
  for (;;) {
    const verdict = verdictOf(await repo.readStatus(), wait)
    if (verdict !== undefined) {
      ;(verdict.counted ? io.stdout : io.stderr).write(`${verdict.counted ? '' : 'error: '}${verdict.message}\n`)
      return verdict.counted ? EXIT.ok : EXIT.findings
    }
    if (Date.now() >= deadline || io.signal?.aborted) {
      io.stderr.write(`error: no verdict from the agent within ${wait.waitFor} (is an agent running on this repository?)\n`)
      return EXIT.findings
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

function verdictOf(status: StatusSnapshot, wait: VerdictWait): Verdict | undefined {
  const subject = `${wait.item.kind.toLowerCase()}/${wait.item.name}`
  const doc = status.docs.get(wait.item.subject)
  if (doc === undefined) return undefined
  if (wait.action === 'approve' || wait.action === 'reject') {
    const entries = ((doc.status as GateStatus).reviewHistory ?? []).filter((entry) => entry.source === `request:${wait.id}`) as unknown as (Record<string, unknown> & { counted?: boolean; reason?: string; execution?: { name?: string } })[]
    if (entries.length === 0) return undefined
    const counted = entries.filter((e) => e.counted !== false)
    if (counted.length > 0) return { counted: true, message: `${subject}: ${wait.action} counted${counted.some((e) => e.execution?.name) ? ` for ${counted.map((e) => e.execution?.name).filter(Boolean).join(', ')}` : ''}; the Gate is ${(doc.status as GateStatus).phase ?? 'Pending'}` }
    return { counted: false, message: `${subject}: ${wait.action} refused: ${[...new Set(entries.map((e) => e.reason ?? 'NotCounted'))].join(', ')}` }
  }
  const run = doc.status as ExecutionStatus
  const refused = doc.refusedRequests?.find((r) => r.id === wait.id)
  if (refused !== undefined) return { counted: false, message: `${subject}: ${wait.action} refused: ${refused.reason}` }
  if (wait.action === 'cancel') return run.phase === 'Cancelled' ? { counted: true, message: `${subject}: cancelled` } : undefined
  if (wait.action === 'claim') return { counted: true, message: `${subject}: claim recorded (claims tell other workers; the agent does not judge them)` }
  return doc.appliedRequests?.includes(wait.id) ? { counted: true, message: `${subject}: ${wait.action} applied; the Execution is ${run.phase ?? 'Pending'}` } : undefined
}
