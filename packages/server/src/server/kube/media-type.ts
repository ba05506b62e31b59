/** One media range of an `Accept` header, with its parameters (`as`, `g`, `v`, ...). */
export interface MediaRange {
  readonly type: string
  readonly params: Readonly<Record<string, string>>
}

/**
 * Parses an `Accept` header into its media ranges, in the order the client listed them
 * (Kubernetes clients list their preference first and do not use `q`). Types and parameter names
 * are lower-cased; values are kept as sent.
 *
 * @example
 * parseAccept('application/json;as=Table;v=v1;g=meta.k8s.io, application/json')
 * // [{ type: 'application/json', params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' } }, { type: 'application/json', params: {} }]
 */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header === '') return []
  const ranges: MediaRange[] = []
  for (const part of header.split(',').slice(0, 32)) {
    const [type = '', ...rest] = part.split(';')
    const params: Record<string, string> = {}
    for (const param of rest) {
      const eq = param.indexOf('=')
      if (eq > 0) params[param.slice(0, eq).trim().toLowerCase()] = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
    }
    ranges.push({ type: type.trim().toLowerCase(), params })
  }
  return ranges
}

/**
 * Returns the first range of `header` that asks for JSON rendered `as` the given kind of group
 * `g` (one of `versions`), e.g. a Table of `meta.k8s.io`; `undefined` when the client did not ask.
 */
export function acceptsAs(header: string | undefined, as: string, group: string, versions: readonly string[]): MediaRange | undefined {
  // Cheap test first: this runs on every read, and almost no request asks for a conversion.
  if (header === undefined || !header.includes(as)) return undefined
  return parseAccept(header).find((range) => range.type === 'application/json' && range.params.as === as && range.params.g === group && versions.includes(range.params.v ?? ''))
}
