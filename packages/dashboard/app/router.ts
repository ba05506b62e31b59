/** A page of the app, from the URL fragment. */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'login' }
  | { readonly page: 'execution'; readonly namespace: string; readonly name: string; readonly node?: string }
  | { readonly page: 'gate'; readonly namespace: string; readonly name: string }
  | { readonly page: 'plan'; readonly namespace: string; readonly name: string }
  | { readonly page: 'goal'; readonly namespace: string; readonly name: string }
  | { readonly page: 'missing'; readonly path: string }

const PAGES: Readonly<Record<string, 'execution' | 'gate' | 'plan' | 'goal'>> = { executions: 'execution', gates: 'gate', plans: 'plan', goals: 'goal' }

/**
 * Reads the route from a URL fragment: `#/`, `#/login`, `#/executions/NS/NAME[/nodes/ID]`,
 * `#/gates/NS/NAME`, `#/plans/NS/NAME`, `#/goals/NS/NAME`. Segments are URL-decoded; anything
 * else is `missing`.
 */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '')
  if (path === '') return { page: 'overview' }
  if (path === 'login') return { page: 'login' }
  let segments: string[]
  try {
    segments = path.split('/').map(decodeURIComponent)
  } catch {
    return { page: 'missing', path }
  }
  const [plural, namespace, name, sub, node] = segments
  const page = plural === undefined ? undefined : Object.hasOwn(PAGES, plural) ? PAGES[plural] : undefined
  if (page === undefined || namespace === undefined || name === undefined || namespace === '' || name === '') return { page: 'missing', path }
  if (page === 'execution' && sub === 'nodes' && node !== undefined && segments.length === 5) return { page, namespace, name, node }
  if (segments.length !== 3) return { page: 'missing', path }
  return { page, namespace, name }
}

/** The fragment of a route (inverse of {@link parseRoute}). */
export function routeHash(segments: readonly string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`
}
