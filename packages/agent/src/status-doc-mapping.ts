import type { DesiredState, RequestRecord, ResourceIdentity, StatusSnapshot as GitStatusSnapshot } from '@planspec/git-store'
import type { RequestIdentity } from './authenticate-request.js'
import type { AgentRequest } from './types.js'

/** One request as read, and who it was judged to be from. */
export type AuthenticatedRecord = { readonly record: RequestRecord; readonly identity: RequestIdentity }

/**
 * A request file as the agent acts on it: git-store's record and the agent's judgment of who it
 * proves (`actor`, or why nobody: `refusal`). The judgment is the agent's (DECISIONS §9), so this
 * is the one place the two meet.
 */
export function toRequest({ record: r, identity }: AuthenticatedRecord): AgentRequest {
  return {
    id: r.id,
    action: r.request.action,
    target: { ...r.request.target, ...(r.request.node === undefined ? {} : { node: r.request.node }) },
    ...(r.request.comment === undefined ? {} : { comment: r.request.comment }),
    ...(r.request.outputs === undefined ? {} : { outputs: r.request.outputs }),
    ...(r.request.failed === undefined ? {} : { failed: r.request.failed }),
    ...(r.request.via === undefined ? {} : { via: r.request.via }),
    ...(r.request.action === 'retry' && r.request.node !== undefined ? { nodes: [r.request.node] } : {}),
    ...(r.request.generation === undefined ? {} : { targetGeneration: r.request.generation }),
    ...(r.request.execution === undefined ? {} : { execution: r.request.execution }),
    ...(r.request.digest === undefined ? {} : { digest: r.request.digest }),
    author: { name: r.author.name, email: r.author.email },
    time: new Date(r.author.timestamp * 1000).toISOString(),
    commit: r.commit,
    ...(identity.actor === undefined ? {} : { actor: identity.actor }),
    ...(identity.refusal === undefined ? {} : { refusal: identity.refusal }),
  }
}

/** The identity to persist with a status: the desired state's (current generation), else the one stored. */
export function identityOf(subject: string, desired: DesiredState | undefined, status: GitStatusSnapshot | undefined): { identity?: ResourceIdentity } {
  const identity = desired?.resources.get(subject)?.identity ?? status?.identities.get(subject)
  return identity ? { identity } : {}
}
