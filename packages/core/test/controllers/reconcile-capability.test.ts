import { describe, expect, it } from 'vitest'
import {
  DEFAULT_DEPRECATION_MESSAGE,
  reconcileCapability,
  type CapabilityAvailability,
  type CapabilityObservation,
  type CapabilityReconcileTarget,
} from '../../src/controllers/reconcile-capability.js'
import { initialStatus } from '../../src/controllers/initial-status.js'
import { subjectOf } from '../../src/object-key.js'

const now = '2025-03-01T12:00:00Z'
const later = '2025-03-02T12:00:00Z'

type Requirement = { name: string; namespace?: string; optional?: boolean }

function capability(requirements?: Requirement[], status?: CapabilityReconcileTarget['status']): CapabilityReconcileTarget {
  return {
    metadata: { name: 'deploy', namespace: 'ops' },
    spec: requirements ? { requirements } : {},
    ...(status ? { status } : {}),
  }
}

function available(entries: [string, string, CapabilityAvailability['phase']?][]): Map<string, CapabilityAvailability> {
  return new Map(entries.map(([ns, name, phase]) => [subjectOf('Capability', ns, name), phase ? { phase } : {}]))
}

const observe = (overrides: Partial<CapabilityObservation> = {}): CapabilityObservation => ({
  capability: capability(),
  generation: 4,
  capabilities: new Map(),
  now,
  ...overrides,
})

describe('reconcileCapability', () => {
  it.each<[string, Requirement[] | undefined, Map<string, CapabilityAvailability>, string, string, string[]]>([
    ['is Available without requirements', undefined, new Map(), 'Available', 'CapabilityRegistered', []],
    ['is Available when every required capability exists', [{ name: 'build' }], available([['ops', 'build']]), 'Available', 'CapabilityRegistered', []],
    ['counts a Deprecated requirement as available', [{ name: 'build' }], available([['ops', 'build', 'Deprecated']]), 'Available', 'CapabilityRegistered', []],
    ['is Unavailable when a required capability is missing', [{ name: 'build' }], new Map(), 'Unavailable', 'RequirementUnavailable', ['ops/build']],
    [
      'is Unavailable when a required capability is Unavailable',
      [{ name: 'build' }],
      available([['ops', 'build', 'Unavailable']]),
      'Unavailable',
      'RequirementUnavailable',
      ['ops/build'],
    ],
    ['ignores a missing optional requirement', [{ name: 'lint', optional: true }], new Map(), 'Available', 'CapabilityRegistered', []],
    [
      'resolves a requirement namespace and names every missing one',
      [{ name: 'build' }, { name: 'scan', namespace: 'sec' }, { name: 'test' }],
      available([['ops', 'test']]),
      'Unavailable',
      'RequirementUnavailable',
      ['ops/build', 'sec/scan'],
    ],
  ])('%s', (_name, requirements, capabilities, phase, reason, missing) => {
    const result = reconcileCapability(observe({ capability: capability(requirements), capabilities }))
    expect(result.status.phase).toBe(phase)
    expect(result.status.observedGeneration).toBe(4)
    expect(result.status.conditions?.[0]).toMatchObject({ type: 'Available', status: phase === 'Available' ? 'True' : 'False', reason, observedGeneration: 4 })
    expect(result.missing.map((ref) => `${ref.namespace}/${ref.name}`)).toEqual(missing)
    if (missing.length > 0) expect(result.status.conditions?.[0]?.message).toBe(`Required capabilities unavailable: ${missing.join(', ')}`)
  })

  it('keeps a Deprecated status with its replacement and message', () => {
    const status = { phase: 'Deprecated' as const, replacement: { name: 'deploy-v2' }, deprecationMessage: 'use deploy-v2' }
    const result = reconcileCapability(observe({ capability: capability([{ name: 'build' }], status) })).status
    expect(result).toMatchObject({ phase: 'Deprecated', replacement: { name: 'deploy-v2' }, deprecationMessage: 'use deploy-v2' })
    expect(result.conditions?.[0]).toMatchObject({ status: 'False', reason: 'RequirementUnavailable' })
  })

  it('keeps a Deprecated status that names only a replacement', () => {
    const status = { phase: 'Deprecated' as const, replacement: { name: 'deploy-v2', namespace: 'ops' } }
    const result = reconcileCapability(observe({ capability: capability(undefined, status) })).status
    expect(result).toMatchObject({ phase: 'Deprecated', replacement: { name: 'deploy-v2', namespace: 'ops' } })
    expect(result.deprecationMessage).toBeUndefined()
  })

  it('fills a default deprecation message when a Deprecated status has neither field', () => {
    const result = reconcileCapability(observe({ capability: capability(undefined, { phase: 'Deprecated' }) })).status
    expect(result.deprecationMessage).toBe(DEFAULT_DEPRECATION_MESSAGE)
  })

  it('moves Unavailable back to Available when the requirement appears', () => {
    const unavailable = reconcileCapability(observe({ capability: capability([{ name: 'build' }]) })).status
    const result = reconcileCapability(
      observe({ capability: capability([{ name: 'build' }], unavailable), capabilities: available([['ops', 'build']]), now: later }),
    ).status
    expect(result.phase).toBe('Available')
    expect(result.conditions?.[0]?.lastTransitionTime).toBe(later)
  })

  it('uses the default namespace for a capability without one', () => {
    const target = { metadata: { name: 'deploy' }, spec: { requirements: [{ name: 'build' }] } }
    expect(reconcileCapability(observe({ capability: target })).missing).toEqual([{ name: 'build', namespace: 'default' }])
  })

  it.each([
    ['the initial status', capability(undefined, initialStatus('Capability', 4, now))],
    ['an unavailable capability', capability([{ name: 'build' }])],
    ['a deprecated capability', capability(undefined, { phase: 'Deprecated' })],
  ])('is idempotent from %s', (_name, target) => {
    const first = reconcileCapability(observe({ capability: target })).status
    const second = reconcileCapability(observe({ capability: { ...target, status: first }, now: later })).status
    expect(second).toEqual(first)
  })
})
