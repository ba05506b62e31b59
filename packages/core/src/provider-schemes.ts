/**
 * The one table of provider URI schemes (`exec://name`, `mcp://server/tool`, ...): which provider
 * family dispatches each. The engine's providers take their schemes from it, and the validator and
 * the simulator judge bindings by it, so a new scheme is one line here (plus its provider).
 */
export const PROVIDER_SCHEMES = {
  exec: 'exec',
  tool: 'exec',
  http: 'http',
  https: 'http',
  mcp: 'mcp',
  human: 'claimable',
  agent: 'claimable',
  noop: 'noop',
} as const

/** A provider family: the provider implementation that handles a group of schemes. */
export type ProviderFamily = (typeof PROVIDER_SCHEMES)[keyof typeof PROVIDER_SCHEMES]

/** A known provider URI scheme. */
export type ProviderScheme = keyof typeof PROVIDER_SCHEMES

/**
 * Returns the known scheme of a provider URI (`exec://build` → `exec`), or `undefined` when the
 * provider has no `scheme://` prefix or its scheme is not in {@link PROVIDER_SCHEMES}.
 *
 * @example
 * ```ts
 * providerScheme('mcp://docs/search') // 'mcp'
 * providerScheme('ftp://old')         // undefined
 * ```
 */
export function providerScheme(provider: string): ProviderScheme | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\//.exec(provider)
  const scheme = match?.[1]
  return scheme !== undefined && Object.hasOwn(PROVIDER_SCHEMES, scheme) ? (scheme as ProviderScheme) : undefined
}

/**
 * Lists the schemes a provider family handles, in table order.
 *
 * @example
 * ```ts
 * schemesOf('exec') // ['exec', 'tool']
 * ```
 */
export function schemesOf(family: ProviderFamily): ProviderScheme[] {
  return (Object.keys(PROVIDER_SCHEMES) as ProviderScheme[]).filter((scheme) => PROVIDER_SCHEMES[scheme] === family)
}
