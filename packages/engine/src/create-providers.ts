import { checkPolicy } from './check-policy.js'
import { createClaimableProvider } from './claimable-provider.js'
import { createExecProvider } from './exec-provider.js'
import { createHttpProvider } from './http-provider.js'
import { createMcpProvider } from './mcp-provider.js'
import { createNoopProvider } from './noop-provider.js'
import { clip } from './internal/outputs.js'
import { maskText } from './internal/mask-text.js'
import type { Redactor } from '@planspec/core'
import type { DispatchRequest, DispatchResult, LookupFn, McpServerConfig, PinnedFetch, Policy, Provider, SpawnFn } from './types.js'

/** Everything the built-in providers need: the policy and the effects, all injectable. */
export interface ProviderDeps {
  policy: Policy
  /** `child_process.spawn` (default the real one). */
  spawn?: SpawnFn
  /** Sends vetted HTTP requests to a pinned IP (default {@link fetchPinned}). */
  fetch?: PinnedFetch
  /** Resolves host names once (default `dns.promises.lookup` with `all: true`). */
  lookup?: LookupFn
  /** The agent's environment (default `process.env`); only allow-listed variables reach commands. */
  env?: Readonly<Record<string, string | undefined>>
  /** MCP servers by name, for `mcp://SERVER/TOOL`. */
  servers?: Readonly<Record<string, McpServerConfig>>
  /** Secret values redacted from every message (the HMAC key is added automatically). */
  secrets?: readonly string[]
  /**
   * The shell's redactor: masks every message and learns the secrets providers come to know
   * (HMAC keys, environment values a Binding marks secret), so every other sink masks them too.
   */
  redactor?: Redactor
  /**
   * Where command attempts are journaled (`exec://`, `agent://` with a command): give the same
   * directory after a restart and running attempts are re-attached to, finished ones collected,
   * lost ones stopped (default: a new temporary directory per process).
   */
  attemptsDir?: string
  /** Between SIGTERM and SIGKILL when an attempt's process group is stopped (default 5 s). */
  graceMs?: number
}

/** The provider registry returned by {@link createProviders}. */
export interface Providers {
  /** Returns the provider for a URI's scheme (`exec://x` → exec), or `undefined`. */
  forUri(provider: string): Provider | undefined
  /**
   * Dispatches to the provider of `req.provider`. Never throws: an unknown scheme is
   * `UnknownProvider`, and a provider that throws anyway is `Crashed` (message redacted).
   */
  dispatch(req: DispatchRequest): Promise<DispatchResult>
}

/**
 * Creates the built-in providers (DECISIONS §4) over one policy and one set of effects:
 * `noop`, `exec`/`tool`, `http`/`https`, `human`/`agent` and `mcp`. Scheme lookup is
 * case-insensitive. Stateless: every dispatch is independent.
 *
 * @throws InvalidPolicyError (terminal) when the policy is malformed (see {@link checkPolicy}).
 * @example
 * ```ts
 * const providers = createProviders({ policy: { allowCommands: ['/usr/bin/make'], allowUrls: ['https://ci.example.com/*'] } })
 * const result = await providers.dispatch(req) // or providers.forUri(req.provider)?.dispatch(req)
 * ```
 */
export function createProviders(deps: ProviderDeps): Providers {
  checkPolicy(deps.policy)
  const list: Provider[] = [
    createNoopProvider(),
    createExecProvider(deps),
    createHttpProvider(deps),
    createClaimableProvider(deps),
    createMcpProvider(deps),
  ]
  const byScheme = new Map<string, Provider>()
  for (const provider of list) for (const scheme of provider.schemes) byScheme.set(scheme, provider)
  const forUri = (uri: string): Provider | undefined => {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase()
    return scheme === undefined ? undefined : byScheme.get(scheme)
  }
  return {
    forUri,
    async dispatch(req) {
      const provider = forUri(req.provider)
      if (provider === undefined) {
        return { outcome: 'failed', reason: 'UnknownProvider', message: clip(maskText(deps, `no provider for ${JSON.stringify(req.provider)}`)) }
      }
      try {
        return await provider.dispatch(req)
      } catch (err) {
        const detail = err instanceof Error ? err.message : 'unknown error'
        return { outcome: 'failed', reason: 'Crashed', message: clip(maskText(deps, `provider failed: ${detail}`)) }
      }
    },
  }
}
