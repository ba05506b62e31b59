import { describe, expect, it } from 'vitest'
import { checkRequester, claimSubjects, type RequesterPolicy } from '../../src/controllers/check-requester.js'
import { matchesSubject } from '../../src/controllers/check-reviewer.js'

const teams = new Map([
  ['team:acme/sre', ['bob']],
  ['team:appsec', ['user:dana']],
])
const policy: RequesterPolicy = { changeAuthor: 'email:amy@x.io', gateReviewers: ['team:acme/sre', 'user:carol'], teams, writers: ['user:walt'], assignees: ['team:appsec', 'svc:bot'] }

describe('checkRequester', () => {
  it.each<[string, 'cancel' | 'retry' | 'claim' | 'complete', string | undefined]>([
    ['email:AMY@x.io', 'cancel', undefined],
    ['user:bob', 'retry', undefined],
    ['carol', 'cancel', undefined],
    ['user:walt', 'retry', undefined],
    ['user:eve', 'cancel', 'NotEligible'],
    ['user:dana', 'claim', undefined],
    ['svc:bot', 'complete', undefined],
    ['user:bob', 'complete', undefined],
    ['user:walt', 'claim', 'NotEligible'],
    ['email:amy@x.io', 'complete', 'NotEligible'],
  ])('%s may %s: %s', (requester, kind, expected) => {
    expect(checkRequester(requester, kind, policy)).toBe(expected)
  })

  it('refuses everybody when nothing names them', () => {
    const empty: RequesterPolicy = { gateReviewers: [], teams: new Map() }
    expect(checkRequester('user:bob', 'cancel', empty)).toBe('NotEligible')
    expect(checkRequester('user:bob', 'claim', empty)).toBe('NotEligible')
  })
})

describe('claimSubjects', () => {
  it.each<[string, Record<string, unknown> | undefined, string[]]>([
    ['human://appsec', undefined, ['team:appsec']],
    ['human://user:alice', undefined, ['user:alice']],
    ['human://team:acme/sre', {}, ['team:acme/sre']],
    ['agent://docs-writer', undefined, ['svc:docs-writer']],
    ['human://appsec', { assignees: ['user:bob', 3, '', 'team:acme/sre'] }, ['user:bob', 'team:acme/sre']],
    ['exec://build', undefined, []],
    ['human://', undefined, []],
  ])('%s %j names %j', (provider, config, expected) => {
    expect(claimSubjects(provider, config)).toEqual(expected)
  })
})

describe('matchesSubject', () => {
  it('matches subjects case-insensitively and teams through their members', () => {
    expect(matchesSubject('Bob', ['team:acme/sre'], teams)).toBe(true)
    expect(matchesSubject('user:bob', ['team:other/x'], teams)).toBe(false)
    expect(matchesSubject('svc:OPA', ['svc:opa'], teams)).toBe(true)
    expect(matchesSubject('user:opa', ['svc:opa'], teams)).toBe(false)
  })
})
