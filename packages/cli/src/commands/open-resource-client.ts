import { clientFor, createGitResourceClient, createHttpResourceClient, type ResourceClient } from '@planspec/client'
import type { CommandIO } from '../io.js'
import type { ResolvedContext } from './server/resolve-context.js'
import { validationWorkerUrl } from '../validation-worker-url.js'

/**
 * Opens the client port where a resolved context points: the API server (its token, CA, request
 * timeout and Ctrl-C signal) or the repository (its tracked and status branches; `pollMs`: how
 * often a watch fetches them).
 *
 * @example
 * const client = openResourceClient(await resolveContext({}, io), io)
 * await client.get('plan', 'release')
 */
export function openResourceClient(target: ResolvedContext, io: CommandIO, repoFlags: { readonly branch?: string; readonly statusBranch?: string; readonly cacheDir?: string; readonly pollMs?: number } = {}): ResourceClient {
  if (target.mode === 'server') return createHttpResourceClient({ api: clientFor({ server: target.server, ...(target.token ? { token: target.token } : {}), ...(target.ca ? { ca: target.ca } : {}) }, io) })
  return createGitResourceClient({ repo: target.repo, ...repoFlags, env: { cwd: io.cwd, env: io.env }, validationWorkers: { workerUrl: validationWorkerUrl() } })
}
