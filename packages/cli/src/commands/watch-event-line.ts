import { stringify } from 'yaml'

/** How a watch prints its events: `text` lines, NDJSON, YAML documents or `kind/name` lines. */
export type WatchOutput = 'text' | 'json' | 'yaml' | 'name'

/** An object as a watch event carries it: the manifest with its status. */
export interface WatchedObject {
  readonly metadata: { readonly name: string; readonly namespace?: string }
  readonly status?: unknown
}

/**
 * Formats one watch event the way `planspec watch` and `planspec get -w` print it, in either mode:
 * `TYPE kind/name phase` (`kind/namespace/name` with `allNamespaces`), `{"type","object"}` as one
 * JSON line, a YAML document, or `kind/name`. Pure; the line ends with a newline.
 *
 * @example
 * formatWatchEvent('MODIFIED', { metadata: { name: 'release-1' }, status: { phase: 'Running' } }, { kind: 'Execution', allNamespaces: false, output: 'text' })
 * // 'MODIFIED execution/release-1 Running\n'
 */
export function formatWatchEvent(type: string, object: WatchedObject, options: { readonly kind: string; readonly allNamespaces: boolean; readonly output: WatchOutput }): string {
  if (options.output === 'json') return `${JSON.stringify({ type, object })}\n`
  if (options.output === 'yaml') return `---\n${stringify({ type, object }, { lineWidth: 0 })}`
  const subject = `${options.kind.toLowerCase()}/${options.allNamespaces && object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`
  if (options.output === 'name') return `${subject}\n`
  const phase = (object.status as { phase?: unknown } | undefined)?.phase
  return `${type} ${subject}${typeof phase === 'string' ? ` ${phase}` : ''}\n`
}
