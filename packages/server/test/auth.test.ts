// Bearer-token authentication, the tokens file formats, rate limiting, and secrets never echoed (T13, T14).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { loadTokens, parseTokens } from '../src/index.js'
import { createRateLimiter } from '../src/server/rate-limiter.js'
import { API, body, goal, setup, TOKEN, grantEditors } from './helpers.js'

const jwt = (header: object, payload: object) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['an unknown token', 'Bearer not-a-known-token'],
    ['a token with the wrong scheme', `Basic ${TOKEN.admin}`],
    ['a bare token', TOKEN.admin],
    ['an empty bearer', 'Bearer '],
    ['a token prefix', `Bearer ${TOKEN.admin.slice(0, -1)}`],
    ['a token with a suffix', `Bearer ${TOKEN.admin}x`],
    ['a forged alg:none JWT', `Bearer ${jwt({ alg: 'none', typ: 'JWT' }, { sub: 'admin', groups: ['system:masters'] })}`],
    ['two tokens', `Bearer ${TOKEN.admin} ${TOKEN.alice}`],
  ])('answers 401 Status for %s, on every route', async (_what, authorization) => {
    const { request } = setup()
    for (const [method, url] of [
      ['GET', `${API}/namespaces/team/goals`],
      ['POST', `${API}/namespaces/team/goals`],
      ['GET', `${API}/namespaces/team/goals?watch=true`],
      ['GET', '/apis'],
      ['GET', '/metrics'],
      ['GET', '/openapi/v3'],
      ['POST', `${API}/validate`],
      ['GET', '/unknown/path'],
    ] as const) {
      const res = await request({ method, url, user: null, headers: authorization === undefined ? {} : { authorization }, ...(method === 'POST' ? { payload: goal('a') } : {}) })
      expect(res.statusCode).toBe(401)
      expect(body(res)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 })
      expect(res.headers['www-authenticate']).toContain('Bearer')
    }
  })

  it('serves the health probes without a token, and nothing else', async () => {
    const { request } = setup()
    for (const url of ['/healthz', '/livez', '/readyz']) expect((await request({ method: 'GET', url, user: null })).statusCode).toBe(200)
  })

  it('refuses everything but the probes when the server has no tokens (no anonymous mode)', async () => {
    const { request } = setup({ tokens: undefined })
    expect((await request({ method: 'GET', url: `${API}/goals` })).statusCode).toBe(401)
    expect((await request({ method: 'GET', url: '/healthz', user: null })).statusCode).toBe(200)
  })

  it('never echoes a token in any response (canary, T13)', async () => {
    const { request } = setup()
    const canary = 'canary-7f3a9c1e-secret'
    const seen: string[] = []
    for (const headers of [{ authorization: `Bearer ${canary}` }, { authorization: `Basic ${canary}` }]) {
      const res = await request({ method: 'POST', url: `${API}/namespaces/team/goals`, user: null, headers, payload: goal('a') })
      seen.push(res.payload, JSON.stringify(res.headers))
    }
    const ok = await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: { ...goal('a'), spec: { description: 'd', bogus: true } } })
    seen.push(ok.payload, JSON.stringify(ok.headers))
    for (const text of seen) {
      expect(text).not.toContain(canary)
      expect(text).not.toContain(TOKEN.admin)
      expect(text).not.toContain(Buffer.from(canary).toString('base64'))
    }
  })
})

describe('tokens files', () => {
  it('reads CSV lines token,user[,groups] with quoted group lists and comments', () => {
    const registry = parseTokens('# comment\n\nt-1,alice,"acme/sre,admins"\nt-2, bob ,devs,ops\nt-3,carol\n')
    expect(registry.authenticate('t-1')).toEqual({ user: 'alice', groups: ['acme/sre', 'admins'] })
    expect(registry.authenticate('t-2')).toEqual({ user: 'bob', groups: ['devs', 'ops'] })
    expect(registry.authenticate('t-3')).toEqual({ user: 'carol', groups: [] })
    expect(registry.authenticate('t-4')).toBeUndefined()
    expect(registry.identities().map((i) => i.user)).toEqual(['alice', 'bob', 'carol'])
  })

  it('reads YAML: a list, or a map with a tokens list', () => {
    expect(parseTokens('- token: y-1\n  user: alice\n  groups: [a]\n').authenticate('y-1')).toEqual({ user: 'alice', groups: ['a'] })
    expect(parseTokens('tokens:\n  - token: y-2\n    user: bob\n').authenticate('y-2')).toEqual({ user: 'bob', groups: [] })
  })

  it.each([
    ['a line without user', 'only-a-token\n'],
    ['an empty user', 't,\n'],
    ['an unterminated quote', 't,u,"a,b\n'],
    ['a repeated token', 't,u\nt,v\n'],
    ['a YAML entry without user', '- token: t\n'],
    ['YAML groups that are not strings', '- token: t\n  user: u\n  groups: [1]\n'],
  ])('refuses %s, without printing the token', (_what, text) => {
    expect(() => parseTokens(text)).toThrow(expect.objectContaining({ code: 'PLANSPEC_ERR_API_TOKENS_FILE' }))
    try {
      parseTokens(text)
    } catch (error) {
      expect(String((error as Error).message)).not.toMatch(/\bt,|token: t\b/)
    }
  })

  it('loads a tokens file, and reports an unreadable one by code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-tokens-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'tokens.csv'), 'file-token,alice\n')
    expect((await loadTokens(join(dir, 'tokens.csv'))).authenticate('file-token')?.user).toBe('alice')
    await expect(loadTokens(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_API_TOKENS_FILE' })
  })
})

describe('rate limiting', () => {
  it('answers 429 Status with Retry-After once a client spends its burst, per client', async () => {
    const { request } = setup({ limits: { rateLimit: { perSecond: 1, burst: 3 } } })
    await grantEditors(request)
    const codes: number[] = []
    for (let i = 0; i < 5; i++) codes.push((await request({ method: 'GET', url: `${API}/goals`, user: 'alice' })).statusCode)
    expect(codes).toEqual([200, 200, 200, 429, 429])
    const limited = await request({ method: 'GET', url: `${API}/goals`, user: 'alice' })
    expect(body(limited)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect((await request({ method: 'GET', url: `${API}/goals`, user: 'bob' })).statusCode).toBe(200)
  })

  it('limits unauthenticated clients by address too', async () => {
    const { request } = setup({ limits: { rateLimit: { perSecond: 1, burst: 2 } } })
    const codes: number[] = []
    for (let i = 0; i < 3; i++) codes.push((await request({ method: 'GET', url: `${API}/goals`, user: null, headers: { authorization: 'Bearer guess' } })).statusCode)
    expect(codes).toEqual([401, 401, 429])
  })

  it('refills buckets over time and forgets the least recently seen client first', () => {
    let now = 0
    const limiter = createRateLimiter({ perSecond: 2, burst: 2, maxClients: 2 }, () => now)
    expect([limiter.take('a').allowed, limiter.take('a').allowed, limiter.take('a').allowed]).toEqual([true, true, false])
    expect(limiter.take('a').retryAfterSeconds).toBe(1)
    now = 500
    expect(limiter.take('a').allowed).toBe(true)
    limiter.take('b')
    limiter.take('c') // evicts a
    expect([limiter.take('a').allowed, limiter.take('a').allowed]).toEqual([true, true])
  })
})
