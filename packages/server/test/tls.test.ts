// HTTPS: the server speaks TLS with a certificate createSelfSignedCertificate makes, a client that
// pins that certificate as its CA connects and is served, one that does not is refused by TLS, and
// plain HTTP to the TLS port gets no API answer.
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createSelfSignedCertificate, serve } from '../src/index.js'
import { API, tokens, TOKEN } from './helpers.js'

function get(url: string, options: { ca?: string; token?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(target, { headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }, ...(options.ca === undefined ? {} : { ca: options.ca }) }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('TLS', () => {
  it('makes a self-signed CA certificate for the given hosts, valid from a minute before now for the given days', async () => {
    const now = new Date('2026-12-06T08:00:00Z')
    const { cert, key } = await createSelfSignedCertificate({ hosts: ['localhost', '127.0.0.1', '::1'], days: 30, now: () => now })
    const parsed = new X509Certificate(cert)
    expect(parsed.ca).toBe(true)
    expect(parsed.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    expect(parsed.checkIssued(parsed)).toBe(true)
    expect(parsed.verify(parsed.publicKey)).toBe(true)
    expect(new Date(parsed.validFrom).getTime()).toBe(now.getTime() - 60_000)
    expect(new Date(parsed.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000)
    expect(parsed.checkPrivateKey((await import('node:crypto')).createPrivateKey(key))).toBe(true)
    await expect(createSelfSignedCertificate({ hosts: [] })).rejects.toThrow(/at least one host/)
  })

  it('serves the API over HTTPS to a client that trusts the certificate, and to no one else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planspec-tls-'))
    const credentials = await createSelfSignedCertificate({ hosts: ['localhost', '127.0.0.1'] })
    const server = await serve({ db: join(dir, 'planspec.db'), listen: { port: 0 }, tokens, logger: false, controllers: false, dashboard: false, tls: credentials })
    onTestFinished(async () => {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    })
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)

    const health = await get(`${server.url}/healthz`, { ca: credentials.cert })
    expect(health.status).toBe(200)
    const namespaces = await get(`${server.url}/api/v1/namespaces`, { ca: credentials.cert, token: TOKEN.admin })
    expect(namespaces.status).toBe(200)
    expect((JSON.parse(namespaces.body) as { items: Array<{ metadata: { name: string } }> }).items.map((n) => n.metadata.name)).toContain('default')
    const goals = await get(`${server.url}${API}/namespaces/default/goals`, { ca: credentials.cert, token: TOKEN.admin })
    expect(JSON.parse(goals.body)).toMatchObject({ kind: 'GoalList', items: [] })

    // Without the CA, the TLS handshake fails: nothing is sent, so no token leaks.
    await expect(get(`${server.url}/healthz`)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
    // Another self-signed certificate is not this one.
    const other = await createSelfSignedCertificate({ hosts: ['127.0.0.1'] })
    await expect(get(`${server.url}/healthz`, { ca: other.cert })).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) })
    // Plain HTTP to the TLS port is not the API.
    const plain = await get(server.url.replace('https:', 'http:') + '/healthz').catch((error: NodeJS.ErrnoException) => ({ status: 0, body: error.code ?? '' }))
    expect(plain.status).not.toBe(200)
  })
})
