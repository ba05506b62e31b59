import { formatObjectKey, type ConditionUpdate, type Diagnostic, type StoredResource } from '@planspec/core'
import type { Resource } from '@planspec/validator'
import { gitDiagnostic } from '../diagnostic-codes.js'
import { SOURCE_VALID_CONDITION, type DesiredResource } from '../desired-state.js'
import { nextIdentity, type ResourceIdentity } from '../resource-identity.js'
import type { BlobAnalysis } from './analyze-blob.js'

/** What one tree path contributes: its entry, its analysis or refusal, resources and findings. */
export interface PathState {
  readonly oid: string
  readonly mode: string
  readonly analysis: BlobAnalysis | undefined
  /** Set when the entry was refused (link, unsafe name, submodule): nothing was read. */
  readonly refusal: Diagnostic | undefined
  /** Resources in effect from this path, last known good ones included. */
  readonly effective: readonly DesiredResource[]
  readonly diagnostics: readonly Diagnostic[]
}

/** What stamping a fresh resource needs. */
export interface StampContext {
  readonly revision: string
  readonly commitTime: string
  /** The identity known for a subject: the previous state's, else the status branch's. */
  readonly identityOf: (subject: string) => ResourceIdentity | undefined
}

const VALID: ConditionUpdate = Object.freeze({ type: SOURCE_VALID_CONDITION, status: 'True', reason: 'Valid' })

function stamp(resource: Resource, oid: string, context: StampContext, previous: DesiredResource | undefined): DesiredResource {
  const subject = formatObjectKey(resource)
  const { status: _status, ...rest } = resource.value
  const identity = nextIdentity(previous?.identity ?? context.identityOf(subject), { kind: resource.kind, namespace: resource.namespace, name: resource.name, spec: resource.value.spec, revision: context.revision, commitTime: context.commitTime })
  const metadata = { ...(rest.metadata as Record<string, unknown>), name: resource.name, ...(resource.namespace ? { namespace: resource.namespace } : {}), uid: identity.uid, generation: identity.generation, creationTimestamp: identity.creationTimestamp }
  const object = { ...rest, apiVersion: resource.apiVersion, kind: resource.kind, metadata } as StoredResource
  return { subject, kind: resource.kind, namespace: resource.namespace, name: resource.name, file: resource.file, blob: oid, validIn: context.revision, object, identity, lastKnownGood: false, condition: VALID }
}

function describe(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`
}

function keep(previous: DesiredResource, reason: string, problem: Diagnostic | undefined): { resource: DesiredResource; note: Diagnostic } {
  const why = problem ? describe(problem) : `${previous.file}: the file is empty`
  const message = `${why}; the version from ${previous.validIn.slice(0, 12)} stays in effect`
  const resource: DesiredResource = { ...previous, lastKnownGood: true, condition: { type: SOURCE_VALID_CONDITION, status: 'False', reason, message } }
  return { resource, note: gitDiagnostic('PS7006', problem?.file ?? previous.file, `${previous.subject}: ${message}`, { kind: previous.kind, name: previous.name }) }
}

/**
 * Decides the resources a path contributes now (THREATS T3, last known good):
 * - refused, or invalid as a whole (a syntax error, a nameless document), or emptied: every
 *   resource the path had stays in effect as it was, flagged `SourceValid=False`;
 * - otherwise each valid resource is in effect (re-stamped only if its blob changed); an invalid
 *   one keeps its previous version when there is one, and is left out otherwise.
 * Resources the file no longer defines are dropped only when the file has no errors (a cut or
 * mangled file keeps them). Pure.
 */
export function effectiveResources(
  path: { readonly oid: string; readonly analysis?: BlobAnalysis; readonly refusal?: Diagnostic },
  previous: readonly DesiredResource[],
  context: StampContext,
): { effective: DesiredResource[]; notes: Diagnostic[] } {
  const effective: DesiredResource[] = []
  const notes: Diagnostic[] = []
  const { analysis, refusal } = path
  const firstError = analysis?.diagnostics.find((d) => d.severity === 'error')
  const emptied = analysis !== undefined && analysis.resources.length === 0 && analysis.diagnostics.length > 0 && previous.length > 0
  if (refusal || !analysis || analysis.fileInvalid || emptied) {
    const reason = refusal ? 'SourceRefused' : firstError ? 'InvalidManifest' : 'EmptyFile'
    for (const p of previous) {
      const kept = keep(p, reason, refusal ?? firstError)
      effective.push(kept.resource)
      notes.push(kept.note)
    }
    return { effective, notes }
  }
  const bySubject = new Map(previous.map((p) => [p.subject, p]))
  for (const resource of analysis.resources) {
    const subject = formatObjectKey(resource)
    const before = bySubject.get(subject)
    if (analysis.invalid.has(`${resource.kind}/${resource.name}`)) {
      if (!before) continue
      const problem = analysis.diagnostics.find((d) => d.severity === 'error' && d.kind === resource.kind && d.name === resource.name) ?? firstError
      const kept = keep(before, 'InvalidManifest', problem)
      effective.push(kept.resource)
      notes.push(kept.note)
    } else if (before && !before.lastKnownGood && before.blob === path.oid && before.file === resource.file) effective.push(before)
    else effective.push(stamp(resource, path.oid, context, before))
    bySubject.delete(subject)
  }
  // A file with errors does not remove anything: a resource it no longer defines validly (a
  // truncated name, a cut document) stays as it was. Only a valid file removes resources.
  if (firstError) {
    for (const before of bySubject.values()) {
      const kept = keep(before, 'InvalidManifest', firstError)
      effective.push(kept.resource)
      notes.push(kept.note)
    }
  }
  return { effective, notes }
}
