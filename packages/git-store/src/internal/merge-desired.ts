import { type Diagnostic, canonicalJson } from '@planspec/core'
import { gitDiagnostic } from '../diagnostic-codes.js'
import type { DesiredChanges, DesiredResource } from '../desired-state.js'
import type { PathState } from './path-state.js'

/** The resources in effect across all paths, their findings, and what changed. */
export interface MergedDesired {
  readonly resources: Map<string, DesiredResource>
  readonly diagnostics: Diagnostic[]
  readonly changed: DesiredChanges
}

/**
 * Merges what every path contributes, in path order. A subject defined by two files is reported
 * (PS4002) on the file that loses; the file that had it before wins, else the first path. Then
 * compares with the previous resources: an unchanged resource is the very same object, so most of
 * the comparison is by identity and costs nothing.
 */
export function mergeDesired(paths: ReadonlyMap<string, PathState>, previous: ReadonlyMap<string, DesiredResource> | undefined): MergedDesired {
  const resources = new Map<string, DesiredResource>()
  const diagnostics: Diagnostic[] = []
  for (const path of [...paths.keys()].sort()) {
    const state = paths.get(path)!
    for (const d of state.diagnostics) diagnostics.push(d)
    for (const resource of state.effective) {
      const holder = resources.get(resource.subject)
      if (!holder) {
        resources.set(resource.subject, resource)
        continue
      }
      const incumbent = previous?.get(resource.subject)?.file
      const [winner, loser] = incumbent === resource.file && holder.file !== incumbent ? [resource, holder] : [holder, resource]
      resources.set(resource.subject, winner)
      diagnostics.push(gitDiagnostic('PS4002', loser.file, `${resource.subject} is also defined in ${winner.file}; this definition is ignored`, { kind: resource.kind, name: resource.name }))
    }
  }
  const added: string[] = []
  const modified: string[] = []
  const removed: string[] = []
  for (const [subject, resource] of resources) {
    const before = previous?.get(subject)
    if (!before) added.push(subject)
    else if (before !== resource && (before.lastKnownGood !== resource.lastKnownGood || canonicalJson(before.object) !== canonicalJson(resource.object))) modified.push(subject)
  }
  if (previous) for (const subject of previous.keys()) if (!resources.has(subject)) removed.push(subject)
  return { resources, diagnostics, changed: { added, modified, removed } }
}
