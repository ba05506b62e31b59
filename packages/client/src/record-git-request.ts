import type { DesiredResource } from '@planspec/git-store'
import type { GitAgentRepo, RequestAction } from '@planspec/agent'
import { isAgentVia } from '@planspec/core'
import { verifySshSignature } from '@planspec/git-store'
import { reviewerOf } from '@planspec/agent'
import { ClientUsageError } from './errors.js'
import { localVerdict } from './local-checks.js'
import type { ClientRequestOptions, ClientRequestTarget } from './resource-types.js'
import { signerOf, type SigningKeyLookup } from './signing-key.js'

/** What a git-mode request is made with: the repository, who signs, and how. */
export interface GitRequester {
  readonly repo: GitAgentRepo
  /** The commit author: the identity the signing key is listed for in the allowed-signers file. */
  readonly author: { readonly name: string; readonly email: string } | undefined
  readonly signing: SigningKeyLookup
}

/** The outcome of {@link recordGitRequest}. */
export type GitRequestOutcome =
  | { readonly status: 'recorded'; readonly item: DesiredResource; readonly subject: string; readonly id: string; readonly execution?: string; readonly notes: readonly string[] }
  | { readonly status: 'dry-run'; readonly item: DesiredResource; readonly subject: string; readonly notes: readonly string[] }
  | { readonly status: 'refused'; readonly subject: string; readonly reason: string; readonly message: string; readonly item?: DesiredResource; readonly recorded?: { readonly id: string } }

/** The noun of each action, for messages (`approval refused: ...`). */
export const ACTION_NOUNS: Readonly<Record<RequestAction, string>> = { approve: 'approval', reject: 'rejection', comment: 'comment', cancel: 'cancel', retry: 'retry', claim: 'claim', complete: 'completion' }

/**
 * Words a refused action the same way in every mode: `gate/NAME: approval refused: REASON: why`
 * (the reason is not repeated when the explanation already starts with it).
 *
 * @example
 * refusalMessage('gate/release', 'approve', 'NotEligible', 'alice is not a reviewer') // 'gate/release: approval refused: NotEligible: alice is not a reviewer'
 */
export function refusalMessage(subject: string, action: RequestAction, reason: string, why: string): string {
  return `${subject}: ${ACTION_NOUNS[action]} refused: ${why.startsWith(`${reason}:`) || why === reason ? why : `${reason}: ${why}`}`
}

/** The request could not be signed so that it counts: nothing was pushed. */
class RefusedSignature extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Records one action as an append-only request file on the status branch, in a commit signed with
 * the requester's SSH key (DECISIONS §6, §9): `approve|reject|comment GATE`, `cancel|retry
 * EXECUTION`, `claim|complete EXECUTION NODE`. Before anything is pushed it checks, as the agent
 * will: a signing key is configured, the tracked branch's allowed-signers file lists it for the
 * author's identity (the signature is verified), and the author may ask (`localVerdict`). A refusal
 * records nothing, unless `recordRefused` asks to record a refused decision for the audit trail
 * (signature problems never are). Throws `ClientUsageError` when several namespaces hold the name.
 *
 * @example
 * const outcome = await recordGitRequest(requester, 'approve', { kind: 'Gate', name: 'release' }, { comment: 'lgtm' })
 */
export async function recordGitRequest(requester: GitRequester, action: RequestAction, target: ClientRequestTarget, options: ClientRequestOptions = {}): Promise<GitRequestOutcome> {
  const { repo, author, signing } = requester
  const named = `${target.kind.toLowerCase()}/${target.name}`
  const refuse = (reason: string, why: string, item?: DesiredResource): GitRequestOutcome => {
    const subject = item === undefined ? named : `${item.kind.toLowerCase()}/${item.name}`
    return { status: 'refused', subject, reason, message: refusalMessage(subject, action, reason, why), ...(item === undefined ? {} : { item }) }
  }
  if (author === undefined) return refuse('NoIdentity', 'no identity: set git config user.email to the address your key is listed for in .planspec/allowed-signers')
  if ('problem' in signing) return refuse('NoSigningKey', signing.problem)
  const desired = await repo.readDesired()
  const matches = [...desired.resources.values()].filter((i) => i.kind === target.kind && i.name === target.name && (target.namespace === undefined || i.namespace === target.namespace))
  if (matches.length === 0) return refuse('NotFound', `${target.kind.toLowerCase()} "${target.name}" not found`)
  if (matches.length > 1) throw new ClientUsageError(`${target.kind.toLowerCase()} "${target.name}" exists in several namespaces; choose one with --namespace`)
  const item = matches[0]!
  const subject = `${item.kind.toLowerCase()}/${item.name}`
  const signers = await repo.signers()
  if (signers.text === undefined) return refuse('NoAllowedSigners', `the tracked branch has no usable .planspec/allowed-signers${signers.problem ? ` (${signers.problem})` : ''}: no request can count`, item)
  const status = await repo.readStatus()
  const verdict = await localVerdict(action, item, target, { repo, desired, status, requester: reviewerOf(author), writers: signers.writers, agent: isAgentVia(options.via) })
  const refused = verdict.refusal === undefined ? undefined : { reason: verdict.reason, why: verdict.refusal }
  if (refused !== undefined && !(options.recordRefused && (action === 'approve' || action === 'reject'))) return refuse(refused.reason, refused.why, item)
  const notes = verdict.refusal === undefined ? verdict.notes : []
  const bind = verdict.refusal === undefined ? verdict.bind : undefined
  if (options.dryRun) return refused ? refuse(refused.reason, refused.why, item) : { status: 'dry-run', item, subject, notes }
  const sign = signerOf(signing.key)
  let id: string
  try {
    id = await repo.appendRequest(
      {
        action,
        target: { kind: item.kind, namespace: item.namespace, name: item.name, ...(target.node ? { node: target.node } : {}) },
        ...(options.comment ? { comment: options.comment } : {}),
        ...(target.outputs ? { outputs: target.outputs } : {}),
        ...(target.failed ? { failed: true } : {}),
        ...(options.via ? { via: options.via } : {}),
        ...(action === 'approve' || action === 'reject' || action === 'comment' ? { targetGeneration: item.identity.generation } : {}),
        ...(bind ? { execution: bind.execution, digest: bind.digest } : {}),
      },
      author,
      async (payload) => {
        const signature = await sign(payload)
        // The same check the agent makes: refuse before pushing a request that cannot count.
        const checked = await verifySshSignature({ payload: Buffer.from(payload, 'utf8'), signature, allowedSigners: signers.text!, identity: author.email, ...(signing.key.program ? { program: signing.key.program } : {}) })
        if (!checked.verified) throw new RefusedSignature(checked.reason, `${checked.reason}: ${checked.message} (signed with ${signing.describe}, as ${author.email})`)
        return signature
      },
    )
  } catch (error) {
    if (error instanceof RefusedSignature) return refuse(error.reason, error.message, item)
    if ((error as { code?: string }).code === 'PLANSPEC_ERR_GIT_INVALID_INPUT' && /cannot sign/.test((error as Error).message)) return refuse('CannotSign', (error as Error).message, item)
    throw error
  }
  if (refused !== undefined) return { status: 'refused', subject, reason: refused.reason, message: refusalMessage(subject, action, refused.reason, refused.why), item, recorded: { id } }
  return { status: 'recorded', item, subject, id, ...(bind ? { execution: bind.execution.name } : {}), notes }
}
