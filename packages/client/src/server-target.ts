import { createApiClient, type ApiClient, type ApiObject } from './api-client.js'
import type { ClientEnv } from './client-env.js'
import { ClientUsageError } from './errors.js'
import type { ServerKind } from './server-kinds.js'

/** Where a server command goes: the server URL and its token (default `PLANSPEC_TOKEN`). */
export interface ServerTarget {
  readonly server: string
  /** The bearer token; `PLANSPEC_TOKEN` from the environment when absent. Never printed. */
  readonly token?: string
  /** PEM of the CA the server's certificate is checked against (a context's `certificate-authority`). */
  readonly ca?: string
  /** How long a request may take (default 30 s). */
  readonly requestTimeoutMs?: number
}

/**
 * Creates the API client of a target: the target's token, else `PLANSPEC_TOKEN`; its CA and
 * request timeout (else `io.requestTimeoutMs`); every request aborted by `io.signal` (Ctrl-C).
 */
export function clientFor(target: ServerTarget, io: Pick<ClientEnv, 'env'> & { readonly signal?: AbortSignal; readonly requestTimeoutMs?: number }): ApiClient {
  const token = target.token ?? io.env.PLANSPEC_TOKEN
  const timeoutMs = target.requestTimeoutMs ?? io.requestTimeoutMs
  return createApiClient({ server: target.server, ...(token ? { token } : {}), ...(target.ca === undefined ? {} : { ca: target.ca }), ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(io.signal === undefined ? {} : { signal: io.signal }) })
}

/**
 * Finds one object by name: in `namespace` when given, else in whichever namespace holds it.
 * Throws a `ClientUsageError` when several namespaces hold the name.
 *
 * @example
 * const gate = await findByName(api, resolveServerKind('gate'), 'release', undefined)
 */
export async function findByName(client: ApiClient, kind: ServerKind, name: string, namespace: string | undefined): Promise<ApiObject | undefined> {
  if (namespace !== undefined || !kind.namespaced) return client.get(kind, namespace, name)
  const matches = await client.list(kind, { fieldSelector: `metadata.name=${name}` })
  if (matches.length > 1) throw new ClientUsageError(`${kind.kind.toLowerCase()} "${name}" exists in several namespaces (${matches.map((m) => m.metadata.namespace).join(', ')}); choose one with --namespace`)
  return matches[0]
}
