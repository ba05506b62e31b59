import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY, dashboardPlugin, loadDashboardAssets } from '../src/index.js'

async function appWith(assets = loadDashboardAssets()) {
  const app = Fastify({ logger: false })
  await app.register(dashboardPlugin, { assets })
  return app
}

describe('dashboardPlugin', () => {
  it('serves the built page and its hashed files from memory with the security headers and validators', async () => {
    const assets = loadDashboardAssets()
    expect(assets.paths).toContain('/index.html')
    const script = assets.paths.find((p) => p.startsWith('/assets/') && p.endsWith('.js'))!
    const app = await appWith(assets)
    const page = await app.inject({ method: 'GET', url: '/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['cache-control']).toBe('no-cache')
    expect((await app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': String(page.headers.etag) } })).statusCode).toBe(304)
    const js = await app.inject({ method: 'GET', url: script })
    expect(js.statusCode).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toContain('immutable')
    await app.close()
  })

  it('answers 404 for any other file, escapes included, and 503 when the app was not built', async () => {
    const app = await appWith()
    for (const url of ['/assets/nope.js', '/assets/..%2Findex.html', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/package.json']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404)
    }
    await app.close()
    const empty = await appWith(loadDashboardAssets(join(mkdtempSync(join(tmpdir(), 'planspec-no-app-')), 'missing')))
    const page = await empty.inject({ method: 'GET', url: '/' })
    expect(page.statusCode).toBe(503)
    expect(page.body).toContain('not built')
    await empty.close()
  })
})
