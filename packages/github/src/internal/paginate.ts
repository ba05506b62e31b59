import { callGitHub, type CallContext } from './call-github.js'

/** One page as Octokit returns it. */
export interface Page<T> {
  readonly data: readonly T[]
  readonly headers: { readonly link?: string }
}

/**
 * Reads a paginated list page by page (100 per page), each page through {@link callGitHub} so a
 * rate limit or a 5xx in the middle retries that page only. Follows the `Link: rel="next"` header;
 * stops after `maxItems`. `onPage` may return `false` to stop early.
 */
export async function paginate<T>(
  operation: string,
  context: CallContext,
  fetchPage: (page: number, perPage: number) => Promise<Page<T>>,
  options: { readonly maxItems?: number; readonly onPage?: (items: readonly T[]) => boolean | void } = {},
): Promise<T[]> {
  const items: T[] = []
  const max = options.maxItems ?? Number.POSITIVE_INFINITY
  for (let page = 1; ; page += 1) {
    const response = await callGitHub(operation, context, () => fetchPage(page, 100))
    items.push(...response.data)
    if (options.onPage?.(response.data) === false) break
    if (items.length >= max || !/\brel="next"/.test(response.headers.link ?? '')) break
  }
  return items.length > max ? items.slice(0, max) : items
}
