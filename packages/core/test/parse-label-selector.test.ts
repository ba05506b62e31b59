import { describe, expect, it } from 'vitest'
import { matchesLabelSelector, parseLabelSelector } from '../src/index.js'

describe('parseLabelSelector', () => {
  it('parses every requirement form and selects as Kubernetes does', () => {
    const parsed = parseLabelSelector('team=billing,tier==web,env!=dev,zone in (a, b),stage notin (old),owner,!legacy')
    expect(parsed).toEqual({
      ok: true,
      selector: {
        matchExpressions: [
          { key: 'team', operator: 'In', values: ['billing'] },
          { key: 'tier', operator: 'In', values: ['web'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'zone', operator: 'In', values: ['a', 'b'] },
          { key: 'stage', operator: 'NotIn', values: ['old'] },
          { key: 'owner', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
    })
    const selector = parsed.ok ? parsed.selector : undefined
    expect(matchesLabelSelector(selector, { team: 'billing', tier: 'web', zone: 'a', owner: 'ann' })).toBe(true)
    expect(matchesLabelSelector(selector, { team: 'billing', tier: 'web', zone: 'c', owner: 'ann' })).toBe(false)
    expect(parseLabelSelector('  ')).toEqual({ ok: true, selector: { matchExpressions: [] } })
  })

  it('says what is wrong instead of throwing', () => {
    expect(parseLabelSelector('a in (x')).toEqual({ ok: false, message: 'unbalanced parentheses in selector' })
    expect(parseLabelSelector('a)')).toEqual({ ok: false, message: 'unbalanced parentheses in selector' })
    expect(parseLabelSelector('Bad Key=x')).toEqual({ ok: false, message: 'unable to parse requirement "Bad Key=x" of labelSelector' })
    expect(parseLabelSelector('-a=x')).toEqual({ ok: false, message: 'invalid label key "-a" in labelSelector' })
    expect(parseLabelSelector(`a=${'x'.repeat(64)}`)).toMatchObject({ ok: false, message: expect.stringContaining('invalid label value') })
    expect(parseLabelSelector(`${'k'.repeat(254)}`)).toMatchObject({ ok: false, message: expect.stringContaining('invalid label key') })
  })
})
