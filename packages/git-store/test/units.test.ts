import { describe, expect, it } from 'vitest'
import { createValidator } from '@planspec/validator'
import { analyzeBlob } from '../src/internal/analyze-blob.js'
import { unsafeNameReason } from '../src/internal/entry-name.js'
import { parseTree } from '../src/internal/git-objects.js'
import { effectiveResources } from '../src/internal/path-state.js'
import { classifyStatusPath, statusPath } from '../src/internal/status-layout.js'
import { parseLease, renderLease } from '../src/lease-document.js'
import { parseRequest, renderRequest } from '../src/request-document.js'
import { parseStatusDocument, renderStatusDocument, type StatusUpdate } from '../src/status-document.js'
import { nextIdentity, requestProblem, resourceUid, specHashOf } from '../src/index.js'

const SHA = 'a'.repeat(40)

describe('unsafeNameReason', () => {
  it.each(['', '.', '..', 'a/b', '/etc', 'a\\b', 'nul\u0000x', 'tab\tx', 'C:x', '.git', '.GIT', '.Git.', '.git ', '.g\u200cit', 'GIT~1', 'x'.repeat(256)])('refuses %j', (name) => {
    expect(unsafeNameReason(name)).toBeDefined()
  })
  it.each(['plan.yaml', '.github', '.gitignore', 'a..b', '...', 'über.yaml', 'git', '.planspec.yaml'])('accepts %j', (name) => {
    expect(unsafeNameReason(name)).toBeUndefined()
  })
})

describe('parseTree', () => {
  it('keeps raw names, classifies modes and refuses truncated trees', () => {
    const oid = Buffer.alloc(20, 0xab)
    const bytes = Buffer.concat([Buffer.from('40000 ..\0'), oid, Buffer.from('120000 l\0'), oid, Buffer.from('100755 x\0'), oid])
    expect(parseTree(bytes).map((e) => [e.name, e.type])).toEqual([
      ['..', 'tree'],
      ['l', 'symlink'],
      ['x', 'blob'],
    ])
    expect(() => parseTree(bytes.subarray(0, bytes.length - 3))).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_GIT_TRANSPORT' }))
  })
})

describe('identity', () => {
  it('gives a stable UUID-shaped uid that changes with the introducing commit', () => {
    const uid = resourceUid('Plan', 'default', 'p', SHA)
    expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(resourceUid('Plan', 'default', 'p', SHA)).toBe(uid)
    expect(resourceUid('Plan', 'default', 'p', 'b'.repeat(40))).not.toBe(uid)
  })

  it('counts spec changes only, whatever the key order', () => {
    const at = { kind: 'Goal', namespace: 'default', name: 'g', revision: SHA, commitTime: '2023-11-14T22:13:20.000Z' }
    const first = nextIdentity(undefined, { ...at, spec: { a: 1, b: 2 } })
    expect(first).toMatchObject({ generation: 1, introducedIn: SHA })
    expect(nextIdentity(first, { ...at, revision: 'c'.repeat(40), spec: { b: 2, a: 1 } })).toBe(first)
    expect(nextIdentity(first, { ...at, spec: { a: 2, b: 2 } })).toMatchObject({ generation: 2, uid: first.uid, specHash: specHashOf({ a: 2, b: 2 }) })
  })
})

describe('status layout and documents', () => {
  const update: StatusUpdate = { kind: 'Execution', namespace: 'default', name: 'run-1', observedGeneration: 2, sourceRevision: SHA, status: { phase: 'Running', nodes: { b: 1, a: 2 } } }
  const key = { kind: 'Execution', namespace: 'default', name: 'run-1' }

  it('places files by namespace, plural and name, and classifies them back', () => {
    expect(statusPath(key)).toBe('default/executions/run-1.yaml')
    expect(statusPath({ kind: 'ClusterRole', namespace: '', name: 'admin' })).toBe('_cluster/clusterroles/admin.yaml')
    expect(classifyStatusPath('default/executions/run-1.yaml')).toEqual({ type: 'status', ...key })
    expect(classifyStatusPath('requests/20240101T000000000Z-abc.yaml')).toEqual({ type: 'request', id: '20240101T000000000Z-abc' })
    expect(classifyStatusPath('requests/plans/p.yaml')).toEqual({ type: 'status', kind: 'Plan', namespace: 'requests', name: 'p' })
    expect(classifyStatusPath('leases/default/executions/run-1.yaml')).toEqual({ type: 'lease', namespace: 'default', name: 'run-1' })
    expect(classifyStatusPath('leases/executions/run-1.yaml')).toEqual({ type: 'status', kind: 'Execution', namespace: 'leases', name: 'run-1' })
    expect(classifyStatusPath('default/widgets/x.yaml')).toEqual({ type: 'other' })
  })

  it('round-trips a status document with sorted keys', () => {
    const text = renderStatusDocument(update)
    expect(text.indexOf('a: 2')).toBeLessThan(text.indexOf('b: 1'))
    expect(parseStatusDocument('default/executions/run-1.yaml', Buffer.from(text), 'f'.repeat(40), key)).toMatchObject({ type: 'status', value: { ...update, subject: 'execution/default/run-1' } })
  })

  it.each([
    ['a syntax error', 'status: [\n'],
    ['a list', '- a\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['an alias', 'apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: &m {namespace: default, name: run-1}\nstatus: *m\n'],
    ['another resource', renderStatusDocument({ ...update, name: 'run-2' })],
    ['another kind', renderStatusDocument({ ...update, kind: 'Plan' })],
    ['a status that is not a mapping', 'apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: {namespace: default, name: run-1}\nstatus: [1]\n'],
    ['an unknown field', `${renderStatusDocument(update)}extra: 1\n`],
    ['a bad generation', renderStatusDocument(update).replace('observedGeneration: 2', 'observedGeneration: -1')],
    ['a bad source', renderStatusDocument(update).replace(SHA, 'HEAD')],
    ['binary bytes', '\u0000\u0001'],
    ['a deep document', `status: ${'['.repeat(100)}${']'.repeat(100)}\n`],
  ])('reports %s as PS7010', (_what, text) => {
    const parsed = parseStatusDocument('default/executions/run-1.yaml', Buffer.from(text), 'f'.repeat(40), key)
    expect(parsed).toMatchObject({ type: 'invalid', diagnostic: { code: 'PS7010', file: 'default/executions/run-1.yaml' } })
  })

  it('round-trips leases and reports bad ones as PS7012', () => {
    const lease = { namespace: 'default', name: 'run-1', holder: 'agent-a', epoch: 3, acquiredAt: '2024-01-01T00:00:00.000Z', renewedAt: '2024-01-01T00:00:10.000Z', expiresAt: '2024-01-01T00:01:10.000Z' }
    const path = 'leases/default/executions/run-1.yaml'
    expect(parseLease(path, Buffer.from(renderLease(lease)), lease)).toEqual({ type: 'lease', value: lease })
    expect(parseLease(path, Buffer.from(renderLease({ ...lease, epoch: 0 })), lease)).toMatchObject({ type: 'invalid', diagnostic: { code: 'PS7012' } })
    expect(parseLease(path, Buffer.from(renderLease(lease)), { namespace: 'default', name: 'other' })).toMatchObject({ type: 'invalid' })
  })
})

describe('requests', () => {
  const gate = { kind: 'Gate', namespace: 'default', name: 'release' }
  it.each([
    [{ action: 'approve', target: gate, by: 'user:a' }, undefined],
    [{ action: 'complete', target: { kind: 'Execution', namespace: 'default', name: 'r' }, node: 'n', by: 'user:a', outputs: { x: 1 } }, undefined],
    [{ action: 'approve', target: gate, by: '' }, 'by'],
    [{ action: 'approve', target: { ...gate, name: 'Bad_Name' }, by: 'user:a' }, 'DNS'],
    [{ action: 'approve', target: { ...gate, extra: 1 }, by: 'user:a' }, 'unknown'],
    [{ action: 'cancel', target: gate, by: 'user:a' }, 'Execution or Goal'],
    [{ action: 'complete', target: { kind: 'Execution', namespace: 'default', name: 'r' }, by: 'user:a' }, 'needs a node'],
    [{ action: 'approve', target: gate, by: 'user:a', generation: 0 }, 'generation'],
    [{ action: 'approve', target: gate, by: 'user:a', outputs: [1] }, 'outputs'],
    [{ action: 'approve', target: gate, by: 'user:a', comment: 'x'.repeat(5000) }, 'comment'],
    ['approve', 'mapping'],
    [{ action: 'comment', target: gate, by: 'svc:bot', comment: 'please review', via: 'mcp:claude-code/1.2.0' }, undefined],
    [{ action: 'comment', target: { kind: 'Execution', namespace: 'default', name: 'r' }, by: 'svc:bot' }, 'Gate'],
    [{ action: 'complete', target: { kind: 'Execution', namespace: 'default', name: 'r' }, node: 'n', by: 'svc:bot', failed: true, comment: 'tests fail' }, undefined],
    [{ action: 'approve', target: gate, by: 'user:a', failed: true }, 'failed'],
    [{ action: 'complete', target: { kind: 'Execution', namespace: 'default', name: 'r' }, node: 'n', by: 'svc:bot', failed: 'yes' }, 'failed'],
    [{ action: 'approve', target: gate, by: 'user:a', via: 'mcp:bad client\n' }, 'via'],
    [{ action: 'approve', target: gate, by: 'user:a', via: 'x'.repeat(129) }, 'via'],
  ])('judges %j', (request, problem) => {
    const found = requestProblem(request)
    if (problem === undefined) expect(found).toBeUndefined()
    else expect(found).toContain(problem)
  })

  it('round-trips a request file and refuses one whose id does not match its name', () => {
    const request = { action: 'approve' as const, target: gate, by: 'user:a', comment: 'fine', generation: 2, createdAt: '2024-01-01T00:00:00.000Z' }
    const text = renderRequest('id-1', request)
    expect(parseRequest('requests/id-1.yaml', Buffer.from(text), 'id-1')).toEqual({ request })
    expect(parseRequest('requests/id-2.yaml', Buffer.from(text), 'id-2')).toMatchObject({ error: expect.stringContaining('id') })
  })

  it('round-trips the client a request came through and a failed completion', () => {
    const request = { action: 'complete' as const, target: { kind: 'Execution', namespace: 'default', name: 'r' }, node: 'n', by: 'svc:bot', comment: 'tests fail', failed: true, via: 'mcp:claude-code/1.2.0', createdAt: '2024-01-01T00:00:00.000Z' }
    expect(parseRequest('requests/id-3.yaml', Buffer.from(renderRequest('id-3', request)), 'id-3')).toEqual({ request })
  })
})

describe('last known good under truncation (THREATS T3)', () => {
  it('never throws and keeps a valid version in effect for a manifest cut at every byte offset', () => {
    const validator = createValidator()
    const text = plan('release', 3)
    const stamp = { revision: SHA, commitTime: '2024-01-01T00:00:00.000Z', identityOf: () => undefined }
    const good = analyzeBlob(validator, Buffer.from(text), { file: 'p.yaml', oid: '1'.repeat(40), namespace: undefined, explicit: true, options: {} })
    const previous = effectiveResources({ oid: '1'.repeat(40), analysis: good }, [], stamp).effective
    expect(previous.map((r) => r.subject)).toEqual(['plan/default/release'])
    for (let cut = 0; cut < text.length; cut++) {
      const analysis = analyzeBlob(validator, Buffer.from(text.slice(0, cut)), { file: 'p.yaml', oid: '2'.repeat(40), namespace: undefined, explicit: true, options: {} })
      const { effective } = effectiveResources({ oid: '2'.repeat(40), analysis }, previous, { ...stamp, revision: 'e'.repeat(40) })
      // Either the cut still parses into a valid Plan, or the last good one stays, flagged.
      expect(effective).toHaveLength(1)
      const [resource] = effective
      if (resource!.lastKnownGood) expect(resource!.object).toBe(previous[0]!.object)
      else expect(resource!.condition.status).toBe('True')
    }
  })
})

function plan(name: string, size: number): string {
  const nodes = Array.from({ length: size }, (_, i) => `      - id: t${i}\n        kind: Task\n        name: Step ${i}\n${i ? `        dependsOn: [t${i - 1}]\n` : ''}`).join('')
  return `apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata:\n  name: ${name}\nspec:\n  description: Plan ${name}\n  goalRef: { name: g }\n  graph:\n    nodes:\n${nodes}`
}
