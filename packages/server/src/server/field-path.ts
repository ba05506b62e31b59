/**
 * Turns a JSON pointer into the field path Kubernetes puts in a Status cause:
 * `/spec/graph/nodes/0/id` → `spec.graph.nodes[0].id`, `/metadata/labels/planspec.io~1goal` →
 * `metadata.labels[planspec.io/goal]`. The empty pointer gives the empty string.
 *
 * @example
 * fieldPath('/spec/graph/nodes/0/id') // 'spec.graph.nodes[0].id'
 */
export function fieldPath(pointer: string): string {
  if (pointer === '') return ''
  let out = ''
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (/^\d+$/.test(segment) || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += `[${segment}]`
    else out += out === '' ? segment : `.${segment}`
  }
  return out
}
