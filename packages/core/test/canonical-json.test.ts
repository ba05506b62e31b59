import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../src/canonical-json.js'
import { runDigestContent } from '../src/execution/run-digest-content.js'
import type { NodeBinding } from '../src/execution/execution-types.js'

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: true, c: null }, 'x'] })).toBe('{"a":[{"c":null,"d":true},"x"],"b":1}')
  })

  it('writes undefined as null', () => {
    expect(canonicalJson(undefined)).toBe('null')
    expect(canonicalJson({ a: undefined })).toBe('{"a":null}')
  })
})

describe('runDigestContent', () => {
  const graph = { nodes: [{ id: 'a', kind: 'Task' }] }
  const bound = (provider: string, config?: Record<string, unknown>): NodeBinding => ({ outcome: 'bound', provider, claimable: false, ...(config ? { config } : {}) })

  it('is the same whatever the key and map order', () => {
    const one = runDigestContent({ nodes: graph.nodes, edges: [] }, new Map([['b', bound('noop://')], ['a', bound('exec://x', { command: ['x'] })]]))
    const two = runDigestContent({ edges: [], nodes: graph.nodes }, new Map([['a', bound('exec://x', { command: ['x'] })], ['b', bound('noop://')]]))
    expect(one).toBe(two)
    expect(JSON.parse(one)).toEqual({ graph: { edges: [], nodes: graph.nodes }, bindings: { a: { provider: 'exec://x', config: { command: ['x'] } }, b: { provider: 'noop://', config: null } } })
  })

  it('changes with the provider, its config or an unresolved binding', () => {
    const base = runDigestContent(graph, new Map([['a', bound('exec://x')]]))
    expect(runDigestContent(graph, new Map([['a', bound('exec://y')]]))).not.toBe(base)
    expect(runDigestContent(graph, new Map([['a', bound('exec://x', { command: ['rm'] })]]))).not.toBe(base)
    const unbound = runDigestContent(graph, new Map<string, NodeBinding>([['a', { outcome: 'unbound', reason: 'NoBinding', message: 'none' }]]))
    expect(JSON.parse(unbound).bindings).toEqual({ a: { outcome: 'unbound', reason: 'NoBinding' } })
  })
})
