// Database rows and API responses are sinks (DECISIONS §9, THREATS T13): a secret the server knows
// is masked in them whatever brought it in (here: a user's own spec and an approval comment).
import { createRedactor } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../src/index.js'
import { API, body, create, goal, setup, testNow } from './helpers.js'

const CANARY = 'canary-8c1f0e2b77d4'
const FORMS = [CANARY, Buffer.from(CANARY).toString('base64'), encodeURIComponent(CANARY)]

describe('redaction of the database and the API', () => {
  it('stores, lists, watches and answers [REDACTED] for a secret the server knows', async () => {
    const redactor = createRedactor([CANARY])
    const store = sqliteStore({ now: testNow, redactor })
    const { request } = setup({ store, redactor })
    const created = await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: { ...goal('g'), spec: { description: `deploy with ${CANARY} (${Buffer.from(CANARY).toString('base64')})` } } })
    expect(created.statusCode).toBe(201)
    expect(body(created).spec.description).toBe('deploy with [REDACTED] ([REDACTED])')
    await create(request, { ...goal('plain'), spec: { description: 'nothing secret' } } as never)
    const texts = [
      (await request({ method: 'GET', url: `${API}/namespaces/team/goals/g` })).payload,
      (await request({ method: 'GET', url: `${API}/goals` })).payload,
      (await request({ method: 'GET', url: `${API}/namespaces/team/goals?watch=true&timeoutSeconds=0&resourceVersion=0` })).payload,
      store.getText({ kind: 'Goal', namespace: 'team', name: 'g' }) ?? '',
      JSON.stringify(store.readEvents('0', 100)),
    ]
    for (const text of texts) for (const form of FORMS) expect(text).not.toContain(form)
    expect(texts[1]).toContain('nothing secret')
  })

  it('masks error messages that echo a secret back', async () => {
    const redactor = createRedactor([CANARY])
    const { request } = setup({ redactor })
    const res = await request({ method: 'POST', url: `${API}/namespaces/team/goals`, payload: { ...goal('g'), metadata: { name: `Bad_${CANARY}`, namespace: 'team' } } })
    expect(res.statusCode).toBe(422)
    expect(res.payload).toContain('[REDACTED]')
    expect(res.payload).not.toContain(CANARY)
  })
})
