import { stringify } from 'yaml'
import type { CommandIO } from '../../io.js'
import { API_PREFIX, clientFor, resolveServerKind, type ApiObject, type ServerTarget } from '@planspec/client'
import { FIELD_MANAGER, type ApplyResponse } from './apply.js'
import { loadManifests } from './load-manifests.js'
import { reportApiError } from './report-api-error.js'
import { unifiedDiff } from './unified-diff.js'

/** Options of `planspec diff`. */
export interface ServerDiffOptions extends ServerTarget {
  readonly paths: readonly string[]
  /** Namespace of resources that set none (the `-n` flag or the context's). */
  readonly namespace?: string
}

/** The exit codes of `diff` (kubectl): no changes, changes, error. */
export const DIFF_EXIT = { same: 0, changed: 1, error: 2 } as const

// Fields the server owns: never part of what a user changes.
const SERVER_METADATA = ['resourceVersion', 'generation', 'uid', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const

/**
 * Shows what `planspec apply` would change, kubectl style: the files are applied as a server-side
 * dry run (`?dryRun=All`, so admission, defaults and immutability are the server's), and each
 * result that is not `unchanged` is printed as a unified diff of YAML between the live object
 * and the would-be object (`/dev/null` for a new one), without status and server-owned metadata.
 * Exit 0 no changes, 1 changes, 2 (>1) an error: invalid files, a refused batch, no server.
 *
 * @example
 * const code = await runServerDiff({ server, paths: ['examples/minimal'] }, io) // 0, 1 or 2
 */
export async function runServerDiff(options: ServerDiffOptions, io: CommandIO): Promise<number> {
  const manifests = await loadManifests(options.paths, { ...(options.namespace === undefined ? {} : { namespace: options.namespace }) }, io)
  if (manifests === undefined) return DIFF_EXIT.error
  try {
    const client = clientFor(options, io)
    const { body } = await client.request<ApplyResponse>('POST', `${API_PREFIX}/apply`, {
      body: { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: manifests.map((m) => m.object) },
      query: { dryRun: 'All', fieldManager: FIELD_MANAGER },
    })
    let changed = false
    for (const result of body.results) {
      if (result.action === 'unchanged') continue
      const live = result.action === 'created' ? undefined : await client.get(resolveServerKind(result.kind), result.namespace, result.name)
      const path = `${result.kind.toLowerCase()}/${result.namespace === undefined ? '' : `${result.namespace}/`}${result.name}.yaml`
      const text = unifiedDiff(live === undefined ? '' : yaml(live), yaml(result.object), { from: live === undefined ? '/dev/null' : `live/${path}`, to: `desired/${path}` })
      if (text === '') continue
      changed = true
      io.stdout.write(text)
    }
    return changed ? DIFF_EXIT.changed : DIFF_EXIT.same
  } catch (error) {
    reportApiError(error, io)
    return DIFF_EXIT.error
  }
}

/** The YAML a user compares: the object without status and server-owned metadata. */
function yaml(object: ApiObject): string {
  const { status: _status, metadata, ...rest } = object
  const kept: Record<string, unknown> = { ...metadata }
  for (const key of SERVER_METADATA) delete kept[key]
  return stringify({ ...rest, metadata: kept }, { lineWidth: 0, sortMapEntries: false })
}
