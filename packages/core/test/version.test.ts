import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareVersions } from '../src/version.js'

const sign = (n: number): number => Math.sign(n) + 0

describe('compareVersions', () => {
  it.each([
    ['2', '10', 'numbers by value'],
    ['1.9', '1.10', 'numeric parts by value'],
    ['1.0', '1.0.1', 'a prefix before the longer list'],
    ['1.0-beta', '1.0', 'a pre-release before its release'],
    ['1.0-rc.9', '1.0.1-alpha', 'main parts before pre-releases'],
    ['1.0-alpha', '1.0-alpha.1', 'a shorter pre-release prefix first'],
    ['1.0-alpha.1', '1.0-beta', 'pre-release identifiers lexically'],
    ['1.0-beta.2', '1.0-beta.11', 'numeric pre-release identifiers by value'],
    ['1.0-1', '1.0-alpha', 'numeric pre-release identifiers before alphanumeric ones'],
    ['1.2', '1.x', 'a numeric part before a non-numeric one'],
    ['1.alpha', '1.beta', 'non-numeric parts lexically'],
    ['v1', 'v2', 'with a leading v'],
    ['1', 'v2', 'with a leading v on one side'],
    ['99999999999999999999998', '99999999999999999999999', 'huge numbers without precision loss'],
    ['0', '', 'a number before the empty version (one non-numeric part)'],
  ])('orders %s before %s (%s)', (a, b) => {
    expect(sign(compareVersions(a, b))).toBe(-1)
    expect(sign(compareVersions(b, a))).toBe(1)
  })

  it.each([
    ['1.0', '1.00'],
    ['1', 'v1'],
    ['01', '1'],
    ['1.0-beta', 'v1.0-beta'],
  ])('breaks the tie between equivalent %s and %s by plain string order', (a, b) => {
    expect(sign(compareVersions(a, b))).toBe(a < b ? -1 : 1)
    expect(sign(compareVersions(b, a))).toBe(a < b ? 1 : -1)
  })

  it('returns zero only for identical strings', () => {
    expect(compareVersions('1.0-rc.1', '1.0-rc.1')).toBe(0)
  })

  it('sorts a mixed list deterministically', () => {
    const sorted = ['10', '9', '1.0', '1.0-beta', 'v1.0.1', '1.0-alpha', '2-rc.1', '2'].sort(compareVersions)
    expect(sorted).toEqual(['1.0-alpha', '1.0-beta', '1.0', 'v1.0.1', '2-rc.1', '2', '9', '10'])
  })

  const version = fc.oneof(
    fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '.', '-', 'v', 'a', 'b', 'rc'), maxLength: 8 }),
    fc
      .tuple(
        fc.boolean(),
        fc.array(fc.nat(12), { minLength: 1, maxLength: 3 }),
        fc.option(fc.array(fc.oneof(fc.nat(3).map(String), fc.constantFrom('alpha', 'beta', 'rc')), { minLength: 1, maxLength: 2 })),
      )
      .map(([v, main, pre]) => `${v ? 'v' : ''}${main.join('.')}${pre === null ? '' : `-${pre.join('.')}`}`),
  )

  it('is antisymmetric (property)', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(sign(compareVersions(a, b))).toBe(0 - sign(compareVersions(b, a)))
        expect(compareVersions(a, b) === 0).toBe(a === b)
      }),
    )
  })

  it('is transitive (property)', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareVersions) as [string, string, string]
        expect(compareVersions(x, y)).toBeLessThanOrEqual(0)
        expect(compareVersions(y, z)).toBeLessThanOrEqual(0)
        expect(compareVersions(x, z)).toBeLessThanOrEqual(0)
        if (compareVersions(a, b) < 0 && compareVersions(b, c) < 0) expect(compareVersions(a, c)).toBeLessThan(0)
      }),
      { numRuns: 2_000 },
    )
  })

  it('sorts the same way whatever the input order (property)', () => {
    fc.assert(
      fc.property(fc.array(version, { maxLength: 8 }), fc.nat(), (list, seed) => {
        const rotated = list.map((_, i) => list[(i + seed) % list.length] as string)
        expect([...rotated].sort(compareVersions)).toEqual([...list].sort(compareVersions))
      }),
    )
  })
})
