import type { ApiClient, ApiObject } from './api-client.js'
import type { ClientAction, ClientVerdict, RecordedRequest, VerdictOptions } from './resource-types.js'
import { resolveServerKind } from './server-kinds.js'

const RETRY_ANNOTATION = 'planspec.io/retry'
const RETRY_APPLIED_KEY = 'io.planspec.retryApplied'

/**
 * Reads the server's verdict on an action recorded through its API, in the words git mode's
 * verdicts use: a review or claim was decided when the server answered (the answer is the
 * verdict); a cancel counts once the run is `Cancelled`, a retry once the run records it applied
 * (`extensions['io.planspec.retryApplied']`), a completion once its node left `AwaitingClaim`.
 * The object is read again every `pollMs` (default 1 s) until `waitMs` (default 0) has passed;
 * undefined when there is no verdict by then.
 *
 * @example
 * const verdict = await serverVerdict(api, 'cancel', recorded, { waitMs: 60_000 })
 */
export async function serverVerdict(api: ApiClient, action: ClientAction, recorded: RecordedRequest, options: VerdictOptions = {}): Promise<ClientVerdict | undefined> {
  const decided = verdictOf(action, recorded, recorded.object as ApiObject | undefined)
  if (decided !== undefined) return decided
  const deadline = Date.now() + (options.waitMs ?? 0)
  const kind = resolveServerKind(recorded.kind)
  while (Date.now() < deadline && !options.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000))
    const object = await api.get(kind, recorded.namespace, recorded.name)
    if (object === undefined) return undefined
    const verdict = verdictOf(action, recorded, object)
    if (verdict !== undefined) return verdict
  }
  return undefined
}

/** The verdict a state of the object shows, or undefined. */
function verdictOf(action: ClientAction, recorded: RecordedRequest, object: ApiObject | undefined): ClientVerdict | undefined {
  const { subject } = recorded
  const status = (object?.status ?? {}) as { phase?: string; extensions?: Record<string, unknown>; nodeStatuses?: Record<string, { phase?: string; reason?: string } | undefined> }
  switch (action) {
    case 'approve':
    case 'reject':
    case 'comment':
      // The server decides a review before it answers; a refused one is an error, never recorded here.
      return { counted: true, message: `${subject}: ${action} ${action === 'comment' ? 'recorded' : 'counted'}${recorded.execution ? ` for ${recorded.execution}` : ''}; the Gate is ${status.phase ?? 'Pending'}` }
    case 'claim':
      return { counted: true, message: `${subject}: claim recorded (the first claim of a node that counts holds it)` }
    case 'cancel':
      return status.phase === 'Cancelled' ? { counted: true, message: `${subject}: cancelled` } : undefined
    case 'retry': {
      const requested = (recorded.object as ApiObject | undefined)?.metadata.annotations?.[RETRY_ANNOTATION]
      return requested !== undefined && status.extensions?.[RETRY_APPLIED_KEY] === requested ? applied(subject, action, status.phase) : undefined
    }
    case 'complete': {
      const node = recorded.node === undefined ? undefined : status.nodeStatuses?.[recorded.node]
      return node !== undefined && !(node.phase === 'Blocked' && node.reason === 'AwaitingClaim') ? applied(subject, action, status.phase) : undefined
    }
  }
}

function applied(subject: string, action: ClientAction, phase: string | undefined): ClientVerdict {
  return { counted: true, message: `${subject}: ${action} applied; the Execution is ${phase ?? 'Pending'}` }
}
