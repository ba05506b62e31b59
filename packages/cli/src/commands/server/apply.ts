import { EXIT, type CommandIO } from '../../io.js'
import { API_PREFIX, clientFor, type ApplyOutcome, type ServerTarget } from '@planspec/client'
import { loadManifests } from './load-manifests.js'
import { reportApiError } from './report-api-error.js'

/** Options of `planspec apply`. */
export interface ServerApplyOptions extends ServerTarget {
  readonly paths: readonly string[]
  /** Namespace of resources that set none (the `-n` flag or the context's). */
  readonly namespace?: string
  readonly dryRun: boolean
  /** Take over fields another field manager owns (server-side apply's `force`). */
  readonly forceConflicts?: boolean
  readonly output: 'text' | 'name' | 'json'
}

/** The field manager `planspec apply` and `planspec diff` apply as (server-side apply, `metadata.managedFields`). */
export const FIELD_MANAGER = 'planspec'

/** The body of an apply answer. */
export interface ApplyResponse {
  readonly dryRun: boolean
  readonly results: readonly ApplyOutcome[]
}

export { APPLY_FORMATS } from '../../command-formats.js'

/**
 * Applies the resources under `paths` to a server in one atomic batch (server-side apply as the
 * field manager `planspec`): each is created, configured or left unchanged, and one bad resource
 * (or a field another manager owns, unless `forceConflicts`) applies nothing. The
 * files are validated offline first. Prints `kind/name created|configured|unchanged` per resource
 * (`(server dry run)` with `--dry-run`), `kind/name` lines (`-o name`) or the ApplyResult (`-o
 * json`); server warnings go to stderr. Exit 0 also when nothing changed; 1 when the files are
 * invalid or the server refuses the batch; 2 when it cannot be reached.
 *
 * @example
 * await runServerApply({ server, paths: ['examples/minimal'], dryRun: false, output: 'text' }, io)
 */
export async function runServerApply(options: ServerApplyOptions, io: CommandIO): Promise<number> {
  const manifests = await loadManifests(options.paths, { ...(options.namespace === undefined ? {} : { namespace: options.namespace }) }, io)
  if (manifests === undefined) return EXIT.findings
  try {
    const client = clientFor(options, io)
    const { body, warnings } = await client.request<ApplyResponse>('POST', `${API_PREFIX}/apply`, {
      body: { apiVersion: 'planspec.io/v1alpha1', kind: 'List', items: manifests.map((m) => m.object) },
      query: { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER, force: options.forceConflicts === true ? 'true' : undefined },
    })
    // The server validates each object alone, so it cannot see the batch: its "outside the file set"
    // notes (PS4001) are noise here; the files were checked together before sending.
    for (const warning of new Set(warnings)) if (!warning.startsWith('PS4001:')) io.stderr.write(`Warning: ${warning}\n`)
    if (options.output === 'json') io.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    else if (options.output === 'name') io.stdout.write(body.results.map((r) => `${r.kind.toLowerCase()}/${r.name}\n`).join(''))
    else io.stdout.write(body.results.map((r) => `${r.kind.toLowerCase()}/${r.name} ${r.action}${options.dryRun ? ' (server dry run)' : ''}\n`).join(''))
    return EXIT.ok
  } catch (error) {
    return reportApiError(error, io)
  }
}
