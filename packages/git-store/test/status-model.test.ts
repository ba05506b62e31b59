import type { Lease, StatusDoc } from '@planspec/core'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { isLeaseLive, LeaseHeldError, LeaseLostError, releasedLease, renewedLease, takeLease } from '../src/index.js'
import { AGENT_EXTENSION, parseStatusDocument, renderStatusDocument } from '../src/status-document.js'

const SHA = 'a'.repeat(40)
const key = { kind: 'Execution', namespace: 'default', name: 'run-1' }
const path = 'default/executions/run-1.yaml'

describe("core's StatusDoc on the status branch", () => {
  const doc: StatusDoc = {
    ...key,
    observedGeneration: 2,
    sourceRevision: SHA,
    runRevision: 'b'.repeat(40),
    appliedRequests: ['requests/20240101T000000000Z-a.yaml'],
    changeAuthor: { subject: 'email:amy@example.com', commit: 'c'.repeat(40) },
    refusedRequests: [{ id: 'requests/20240101T000000000Z-b.yaml', reason: 'NotEligible' }],
    status: { phase: 'Running', extensions: { 'example.com/x': { a: 1 } } },
  }

  it('keeps the bookkeeping inside status.extensions in the file and returns it as fields', () => {
    const text = renderStatusDocument(doc)
    const file = parse(text) as { sourceCommit: string; status: { extensions: Record<string, unknown> } }
    expect(file.sourceCommit).toBe(SHA)
    expect(file.status.extensions[AGENT_EXTENSION]).toEqual({ runRevision: doc.runRevision, appliedRequests: doc.appliedRequests, changeAuthor: doc.changeAuthor, refusedRequests: doc.refusedRequests })
    const parsed = parseStatusDocument(path, Buffer.from(text), 'f'.repeat(40), key)
    expect(parsed.type).toBe('status')
    const { subject, path: at, blob, ...read } = (parsed as { value: StatusDoc & { subject: string; path: string; blob: string } }).value
    expect({ subject, at, blob }).toEqual({ subject: 'execution/default/run-1', at: path, blob: 'f'.repeat(40) })
    expect(read).toEqual(doc)
  })

  it('leaves no empty extensions behind and drops malformed bookkeeping', () => {
    const plain = parseStatusDocument(path, Buffer.from(renderStatusDocument({ ...key, runRevision: SHA, status: { phase: 'Pending' } })), 'f'.repeat(40), key)
    expect(plain).toMatchObject({ type: 'status', value: { runRevision: SHA, status: { phase: 'Pending' } } })
    expect((plain as { value: { status: object } }).value.status).not.toHaveProperty('extensions')
    const hand = `apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: {namespace: default, name: run-1}\nstatus:\n  phase: Running\n  extensions:\n    ${AGENT_EXTENSION}:\n      changeAuthor: {subject: x, commit: HEAD}\n      appliedRequests: [1, requests/a.yaml]\n      refusedRequests: [{id: 1}]\n`
    const parsed = parseStatusDocument(path, Buffer.from(hand), 'f'.repeat(40), key)
    expect(parsed).toMatchObject({ type: 'status', value: { appliedRequests: ['requests/a.yaml'], refusedRequests: [], status: { phase: 'Running' } } })
    expect((parsed as { value: StatusDoc }).value.changeAuthor).toBeUndefined()
  })

  it('renders the same bytes whatever the order of the fields given', () => {
    const reordered = { status: doc.status, refusedRequests: doc.refusedRequests, changeAuthor: doc.changeAuthor, appliedRequests: doc.appliedRequests, runRevision: doc.runRevision, sourceRevision: SHA, observedGeneration: 2, ...key }
    expect(renderStatusDocument(reordered)).toBe(renderStatusDocument(doc))
  })
})

describe('lease decisions (the one implementation, pure, on an injected clock)', () => {
  const T0 = Date.parse('2030-01-01T00:00:00.000Z')
  const request = { namespace: 'default', name: 'run-1', holder: 'agent-a' }

  it('takes a free lease at epoch 1 with times from the clock', () => {
    expect(takeLease(undefined, request, T0, 30_000)).toEqual<Lease>({ ...request, epoch: 1, acquiredAt: '2030-01-01T00:00:00.000Z', renewedAt: '2030-01-01T00:00:00.000Z', expiresAt: '2030-01-01T00:00:30.000Z' })
  })

  it('extends a live lease of the same holder, refuses another holder, takes over an expired one with a new epoch', () => {
    const first = takeLease(undefined, request, T0, 30_000)
    const extended = takeLease(first, request, T0 + 10_000, 30_000)
    expect(extended).toMatchObject({ epoch: 1, acquiredAt: first.acquiredAt, renewedAt: '2030-01-01T00:00:10.000Z', expiresAt: '2030-01-01T00:00:40.000Z' })
    expect(() => takeLease(extended, { ...request, holder: 'agent-b' }, T0 + 39_999, 30_000)).toThrow(LeaseHeldError)
    expect(isLeaseLive(extended, T0 + 39_999)).toBe(true)
    expect(isLeaseLive(extended, T0 + 40_000)).toBe(false)
    const taken = takeLease(extended, { ...request, holder: 'agent-b' }, T0 + 40_000, 30_000)
    expect(taken).toMatchObject({ holder: 'agent-b', epoch: 2, acquiredAt: '2030-01-01T00:00:40.000Z' })
    // The old holder taking its own expired lease again is a new tenure: the epoch grows.
    expect(takeLease(extended, request, T0 + 40_000, 30_000)).toMatchObject({ holder: 'agent-a', epoch: 2 })
  })

  it('renews only for the holder and epoch that hold it, and releases by expiring now', () => {
    const first = takeLease(undefined, request, T0, 30_000)
    expect(renewedLease(first, request, 1, T0 + 5_000, 30_000)).toMatchObject({ epoch: 1, expiresAt: '2030-01-01T00:00:35.000Z' })
    expect(() => renewedLease(first, request, 2, T0 + 5_000, 30_000)).toThrow(LeaseLostError)
    expect(() => renewedLease(first, { ...request, holder: 'agent-b' }, undefined, T0, 30_000)).toThrow(LeaseLostError)
    const released = releasedLease(first, 'agent-a', T0 + 1_000)
    expect(released).toMatchObject({ epoch: 1, renewedAt: '2030-01-01T00:00:01.000Z', expiresAt: '2030-01-01T00:00:01.000Z' })
    expect(releasedLease(released, 'agent-a', T0 + 1_000)).toBeUndefined()
    expect(releasedLease(first, 'agent-b', T0)).toBeUndefined()
    expect(() => renewedLease(released, request, undefined, T0 + 2_000, 30_000)).toThrowError(expect.objectContaining({ code: 'PLANSPEC_ERR_GIT_LEASE_LOST' }))
    expect(takeLease(released, { ...request, holder: 'agent-b' }, T0 + 1_000, 30_000)).toMatchObject({ holder: 'agent-b', epoch: 2 })
  })
})
