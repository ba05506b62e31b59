import { describe, expect, it } from 'vitest'
import { checkAgentReview, isAgentVia } from '../../src/controllers/check-agent-review.js'
import { checkClaim, checkCompletion } from '../../src/controllers/check-claim.js'

describe('checkAgentReview', () => {
  it.each<[string, string, readonly string[] | undefined, 'AgentCannotDecide' | undefined]>([
    ['lets a service the reviewers name decide', 'svc:release-bot', ['user:amy', 'svc:Release-Bot'], undefined],
    ['refuses a service the reviewers do not name', 'svc:release-bot', ['svc:other'], 'AgentCannotDecide'],
    ['refuses an agent listed under its e-mail', 'email:bot@x.io', ['email:bot@x.io'], 'AgentCannotDecide'],
    ['refuses an agent acting as a user', 'user:bot', ['user:bot'], 'AgentCannotDecide'],
    ['refuses a service when the Gate lists nobody (write access never counts)', 'svc:bot', [], 'AgentCannotDecide'],
    ['refuses a service when reviewers are absent', 'svc:bot', undefined, 'AgentCannotDecide'],
  ])('%s', (_name, reviewer, reviewers, expected) => {
    expect(checkAgentReview(reviewer, reviewers)).toBe(expected)
  })

  it('recognises the agent surface by the via prefix', () => {
    expect(isAgentVia('mcp:claude-code/1.2.0')).toBe(true)
    expect(isAgentVia('MCP:cursor')).toBe(true)
    expect(isAgentVia('cli')).toBe(false)
    expect(isAgentVia(undefined)).toBe(false)
  })
})

describe('checkClaim', () => {
  it.each<[string, 'claim' | 'complete', string | undefined, string | undefined]>([
    ['svc:a', 'claim', undefined, undefined],
    ['svc:a', 'claim', 'SVC:A', undefined],
    ['svc:b', 'claim', 'svc:a', 'AlreadyClaimed'],
    ['svc:a', 'complete', 'svc:a', undefined],
    ['svc:b', 'complete', 'svc:a', 'ClaimedByOther'],
    ['user:bob', 'complete', undefined, undefined],
  ])('%s %s with holder %s: %s', (requester, kind, holder, expected) => {
    expect(checkClaim(requester, kind, holder)).toBe(expected)
  })
})

describe('checkCompletion', () => {
  it('names every declared output a successful completion leaves out, null and undefined included', () => {
    expect(checkCompletion(['url', 'pages', 'notes'], { url: 'https://x', pages: null })).toEqual({ reason: 'MissingOutputs', missing: ['pages', 'notes'] })
    expect(checkCompletion(['url'], undefined)).toEqual({ reason: 'MissingOutputs', missing: ['url'] })
  })

  it('accepts a completion with every declared output (extra ones too), a node that declares none, and a failure', () => {
    expect(checkCompletion(['url'], { url: '', extra: 1 })).toBeUndefined()
    expect(checkCompletion([], undefined)).toBeUndefined()
    expect(checkCompletion(['url'], undefined, true)).toBeUndefined()
  })

  it('does not take an inherited property for an output', () => {
    expect(checkCompletion(['toString'], {})).toEqual({ reason: 'MissingOutputs', missing: ['toString'] })
  })
})
