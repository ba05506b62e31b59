import { verifySshSignature, type RequestRecord } from '@planspec/git-store'
import { reviewerOf } from './reviewer-of.js'

/** What the agent trusts a request's identity on (DECISIONS §9). */
export interface RequestTrust {
  /** The tracked branch's `.planspec/allowed-signers` (git's allowedSignersFile format); undefined when absent or refused. */
  readonly allowedSigners: string | undefined
  /**
   * `--allow-unsigned-requests` (single-user local repositories): a request that is not signed by
   * an allowed signer counts for its commit author, with its refusal noted.
   */
  readonly allowUnsigned: boolean
  /** The ssh-keygen program (git's `gpg.ssh.program`). */
  readonly program?: string
}

/** Who a request is from, or why it identifies nobody. */
export interface RequestIdentity {
  /** The proven requester as a reviewer subject (`email:ADDR`, `user:LOGIN`); undefined when refused. */
  readonly actor?: string
  /** Why the signature does not identify anyone: `Unsigned`, `UnknownSigner`, `SignerMismatch`, `BadSignature`. */
  readonly refusal?: { readonly reason: string; readonly message: string }
}

/** The subject a request file names in `by` (`email:ADDR` maps GitHub no-reply addresses to `user:LOGIN`). */
function subjectOfBy(by: string): string {
  return by.startsWith('email:') ? reviewerOf({ email: by.slice('email:'.length) }) : by.toLowerCase()
}

/**
 * Decides who a request is from (DECISIONS §9): a request an agent recorded for someone it
 * authenticated itself (a GitHub comment command, `attested`) is from the subject its file names;
 * any other request is from its commit author only when the commit is signed by a key that the
 * allowed-signers file lists for that author (`ssh-keygen -Y verify`, namespace `git`). The
 * author line alone is never an identity. With `allowUnsigned`, a refused request still counts
 * for its author, and the refusal is kept for the log.
 *
 * @example
 * const { actor, refusal } = await authenticateRequest(record, { allowedSigners, allowUnsigned: false })
 */
export async function authenticateRequest(record: RequestRecord, trust: RequestTrust): Promise<RequestIdentity> {
  if (record.attested) return { actor: subjectOfBy(record.request.by) }
  let refusal: RequestIdentity['refusal']
  if (trust.allowedSigners === undefined) {
    refusal = record.signed === undefined ? { reason: 'Unsigned', message: 'the commit is not signed' } : { reason: 'UnknownSigner', message: 'the tracked branch has no usable .planspec/allowed-signers file' }
  } else {
    const verdict = await verifySshSignature({ payload: record.signed?.payload ?? new Uint8Array(), signature: record.signed?.signature, allowedSigners: trust.allowedSigners, identity: record.author.email, ...(trust.program === undefined ? {} : { program: trust.program }) })
    if (verdict.verified) return { actor: reviewerOf({ email: verdict.identity }) }
    refusal = { reason: verdict.reason, message: verdict.message }
  }
  return trust.allowUnsigned ? { actor: reviewerOf(record.author), refusal } : { refusal }
}
