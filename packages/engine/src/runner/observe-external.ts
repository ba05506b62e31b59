import type { ExternalObservation } from '@planspec/core'
import type { Provider } from '../types.js'

/** The `externalRef` of an External node (RESOURCES 2.7). */
export type ExternalRefLike =
  | { readonly type: 'uri'; readonly uri: string }
  | { readonly type: 'webhook'; readonly webhookUrl: string }
  | { readonly type: 'resource'; readonly resourceRef: { readonly name: string; readonly kind?: string; readonly namespace?: string } }

/**
 * Creates the observer of External nodes (DECISIONS §3): a `webhook`, or an http(s) `uri`, is
 * polled with GET through the same allow-listed, SSRF-guarded client as the http provider, and
 * its JSON body `{ state: pending|succeeded|failed, outputs?, message? }` decides. A URL the
 * policy refuses, or any other URI, stays pending: it is claimable work a person completes. A
 * `resource` reference is answered by `resourcePhase` (a Goal or Execution `Succeeded`, a Gate
 * `Approved` succeed; `Failed`, `Cancelled`, `Rejected` fail).
 *
 * @example
 * const external = observeExternals(prepared.externals, providers)
 * await external('warehouse-ready') // { state: 'pending' }
 */
export function observeExternals(
  refs: ReadonlyMap<string, ExternalRefLike>,
  providers: { forUri(uri: string): Provider | undefined },
  resourcePhase: (ref: { name: string; kind?: string; namespace?: string }) => string | undefined = () => undefined,
): (node: string) => Promise<ExternalObservation> {
  return async (node) => {
    const ref = refs.get(node)
    if (!ref) return { state: 'pending' }
    if (ref.type === 'resource') {
      const phase = resourcePhase(ref.resourceRef)
      if (phase === 'Succeeded' || phase === 'Approved') return { state: 'succeeded' }
      if (phase === 'Failed' || phase === 'Cancelled' || phase === 'Rejected') return { state: 'failed', message: `${ref.resourceRef.kind ?? 'resource'} ${ref.resourceRef.name} ended ${phase}` }
      return { state: 'pending' }
    }
    const url = ref.type === 'webhook' ? ref.webhookUrl : ref.uri
    if (!/^https?:\/\//i.test(url)) return { state: 'pending' }
    const result = await providers.forUri(url)?.status?.(`external/${node}`, { url })
    if (result?.outcome === 'succeeded') return { state: 'succeeded', outputs: result.outputs }
    // A refused or unreachable URL is not a verdict on the external work: keep waiting (Timeout bounds it).
    if (result?.outcome === 'failed' && result.reason === 'RemoteFailed') return { state: 'failed', message: result.message }
    return { state: 'pending', message: result?.outcome === 'failed' ? result.message : undefined }
  }
}

/**
 * Tells whether waiting on an External node can end without people: a webhook, or an http(s)
 * `uri`, is polled; a `resource` ref changes when the referenced resource does, which a store can
 * see (`resources: true`: the agent and the server) and a local run cannot. Anything else is
 * claimable work a person completes.
 *
 * @example
 * isPolledExternal({ type: 'webhook', webhookUrl: 'https://ci.example.com/status' }, { resources: false }) // true
 */
export function isPolledExternal(ref: ExternalRefLike | undefined, options: { readonly resources: boolean }): boolean {
  if (ref?.type === 'webhook') return true
  if (ref?.type === 'resource') return options.resources
  return ref?.type === 'uri' && /^https?:\/\//i.test(ref.uri)
}
