import { subjectOf } from '@planspec/core'
import { classifyStatusPath, type DesiredState, type Lease as GitLease, type RequestRecord, type ResourceIdentity, type StatusSnapshot as GitStatusSnapshot } from '@planspec/git-store'
import type { RequestIdentity } from './authenticate-request.js'
import type { AgentRequest, ChangeAuthor, DesiredItem, DesiredSnapshot, Lease, StatusDoc, StatusSnapshot, TamperedFile } from './types.js'

/** Where the agent keeps its own bookkeeping inside an Execution status. */
export const AGENT_EXTENSION = 'io.planspec.agent'

/** One request as read, and who it was judged to be from. */
export type AuthenticatedRecord = { readonly record: RequestRecord; readonly identity: RequestIdentity }

/** The desired state as the agent sees it: one item per resource in effect. */
export function toSnapshot(state: DesiredState): DesiredSnapshot {
  const items = new Map<string, DesiredItem>()
  for (const [subject, r] of state.resources) {
    items.set(subject, {
      subject,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      file: r.file,
      object: r.object as unknown as Record<string, unknown>,
      generation: r.identity.generation,
      sourceValid: !r.lastKnownGood,
      ...(r.lastKnownGood && r.condition.message ? { sourceMessage: r.condition.message } : {}),
      introducedIn: r.identity.introducedIn,
    })
  }
  return { revision: state.revision, unchanged: state.unchanged, items, diagnostics: state.diagnostics, historyRewritten: state.historyRewritten }
}

export function toStatus(state: GitStatusSnapshot, records: readonly AuthenticatedRecord[]): StatusSnapshot {
  const docs = new Map<string, StatusDoc>()
  for (const [subject, d] of state.documents) {
    const status = d.status as Record<string, unknown>
    const agent = ((status.extensions as Record<string, unknown> | undefined)?.[AGENT_EXTENSION] ?? {}) as { runRevision?: string; appliedRequests?: string[]; changeAuthor?: ChangeAuthor; refusedRequests?: { id: string; reason: string }[] }
    docs.set(subject, {
      kind: d.kind,
      namespace: d.namespace,
      name: d.name,
      ...(d.identity ? { uid: d.identity.uid } : {}),
      ...(d.observedGeneration === undefined ? {} : { observedGeneration: d.observedGeneration }),
      ...(d.sourceCommit === undefined ? {} : { sourceRevision: d.sourceCommit }),
      ...(agent.runRevision ? { runRevision: agent.runRevision } : {}),
      ...(agent.appliedRequests ? { appliedRequests: agent.appliedRequests } : {}),
      ...(Array.isArray(agent.refusedRequests) ? { refusedRequests: agent.refusedRequests.filter((r) => typeof r?.id === 'string' && typeof r.reason === 'string').map((r) => ({ id: r.id, reason: r.reason })) } : {}),
      ...(isChangeAuthor(agent.changeAuthor) ? { changeAuthor: { subject: agent.changeAuthor.subject, commit: agent.changeAuthor.commit } } : {}),
      status: withoutAgentExtension(status),
    })
  }
  const leases = new Map<string, Lease>()
  for (const [key, lease] of state.leases) leases.set(`execution/${key}`, { holder: lease.holder, expiresAt: Date.parse(lease.expiresAt) })
  const requests: AgentRequest[] = records.map(({ record: r, identity }) => ({
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
  }))
  const problems = new Map(state.diagnostics.filter((d) => d.code !== 'PS7013').map((d) => [d.file, d.message]))
  const tampered: TamperedFile[] = state.tampered.map((t) => {
    const place = classifyStatusPath(t.path)
    return { path: t.path, commit: t.commit, ...(place.type === 'status' ? { subject: subjectOf(place.kind, place.namespace, place.name) } : {}) }
  })
  return { ...(state.revision ? { head: state.revision } : {}), docs, requests, leases, problems, tampered }
}

/** Keeps the agent's bookkeeping (run revision, applied requests, change author) inside the status extensions. */
export function withAgentExtension(doc: StatusDoc): Record<string, unknown> {
  const status = { ...(doc.status as Record<string, unknown>) }
  if (doc.runRevision === undefined && doc.appliedRequests === undefined && doc.changeAuthor === undefined && doc.refusedRequests === undefined) return status
  const agent = {
    ...(doc.runRevision ? { runRevision: doc.runRevision } : {}),
    ...(doc.appliedRequests ? { appliedRequests: [...doc.appliedRequests] } : {}),
    ...(doc.changeAuthor ? { changeAuthor: { subject: doc.changeAuthor.subject, commit: doc.changeAuthor.commit } } : {}),
    ...(doc.refusedRequests?.length ? { refusedRequests: doc.refusedRequests.slice(-100).map((r) => ({ id: r.id, reason: r.reason })) } : {}),
  }
  return { ...status, extensions: { ...(status.extensions as Record<string, unknown> | undefined), [AGENT_EXTENSION]: agent } }
}

function isChangeAuthor(value: unknown): value is ChangeAuthor {
  const v = value as Partial<ChangeAuthor> | undefined
  return typeof v?.subject === 'string' && typeof v.commit === 'string' && /^[0-9a-f]{40}$/.test(v.commit)
}

function withoutAgentExtension(status: Record<string, unknown>): Record<string, unknown> {
  const extensions = status.extensions as Record<string, unknown> | undefined
  if (extensions === undefined || !(AGENT_EXTENSION in extensions)) return status
  const { [AGENT_EXTENSION]: _agent, ...rest } = extensions
  return Object.keys(rest).length === 0 ? Object.fromEntries(Object.entries(status).filter(([k]) => k !== 'extensions')) : { ...status, extensions: rest }
}

/** The identity to persist with a status: the desired state's (current generation), else the one stored. */
export function identityOf(subject: string, desired: DesiredState | undefined, status: GitStatusSnapshot | undefined): { identity?: ResourceIdentity } {
  const identity = desired?.resources.get(subject)?.identity ?? status?.identities.get(subject)
  return identity ? { identity } : {}
}

export function toGitLease(namespace: string, name: string, lease: Lease, previous: GitLease | undefined): GitLease {
  const now = new Date().toISOString()
  const sameHolder = previous?.holder === lease.holder
  return {
    namespace,
    name,
    holder: lease.holder,
    epoch: sameHolder ? previous.epoch : (previous?.epoch ?? 0) + 1,
    acquiredAt: sameHolder ? previous.acquiredAt : now,
    renewedAt: now,
    expiresAt: new Date(lease.expiresAt).toISOString(),
  }
}
