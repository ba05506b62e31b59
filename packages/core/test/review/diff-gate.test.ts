import { describe, expect, it } from 'vitest'
import { diffGate } from '../../src/review/diff-gate.js'
import { gate } from './fixtures.js'

describe('diffGate', () => {
  it('lists reviewers added and removed, compared as normalized subjects, and the required approvals', () => {
    const diff = diffGate(gate('release', ['Alice', 'team:acme/sre'], 1), gate('release', ['user:alice', 'user:bob'], 2))
    expect(diff).toEqual({
      subject: 'gate/default/release',
      namespace: 'default',
      name: 'release',
      action: 'changed',
      reviewers: { before: ['Alice', 'team:acme/sre'], after: ['user:alice', 'user:bob'], added: ['user:bob'], removed: ['team:acme/sre'] },
      requiredApprovers: { before: 1, after: 2 },
    })
  })

  it('returns undefined when reviewers and the effective required approvals are the same', () => {
    expect(diffGate(gate('g', ['user:a'], undefined), gate('g', ['User:A'], 1))).toBeUndefined()
    expect(diffGate(gate('g'), gate('g', [], 'two'))).toBeUndefined()
  })

  it('reports a change of required approvals alone', () => {
    expect(diffGate(gate('g', ['team:x/y']), gate('g', ['team:x/y'], 3))?.requiredApprovers).toEqual({ before: 1, after: 3 })
  })

  it('always reports added and removed gates, with the side that exists', () => {
    expect(diffGate(undefined, gate('g', ['user:a', 7]))).toMatchObject({ action: 'added', reviewers: { before: [], after: ['user:a'], added: ['user:a'], removed: [] }, requiredApprovers: { after: 1 } })
    const removed = diffGate(gate('g'), undefined)
    expect(removed).toMatchObject({ action: 'removed', reviewers: { before: [], after: [], added: [], removed: [] }, requiredApprovers: { before: 1 } })
    expect(removed?.requiredApprovers).not.toHaveProperty('after')
  })
})
