import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DASHBOARD_HEADERS } from './dashboard-headers.js'
import { loadDashboardAssets, type DashboardAssets } from './load-dashboard-assets.js'

/** Options of {@link dashboardPlugin}. */
export interface DashboardPluginOptions {
  /** The built app (default: `loadDashboardAssets()`, the package's `dist-app`). */
  readonly assets?: DashboardAssets
}

/**
 * Serves the dashboard's files at `/` (the page) and under `/assets/` (hashed scripts and styles),
 * from memory, with the security headers of `DASHBOARD_HEADERS` (a strict Content-Security-Policy
 * among them) on every response, strong ETags (`304` on `If-None-Match`), `no-cache` for the page
 * and a year for hashed files. Routes are public (`config.public`): the page holds no data, and
 * every API call it makes carries the user's bearer token. An unknown file is a plain 404. When the
 * app was not built, `/` answers 503 saying so.
 *
 * @example
 * await app.register(dashboardPlugin)            // planspec serve: the API and its dashboard
 * await app.register(dashboardPlugin, { assets }) // a test with its own build
 */
export async function dashboardPlugin(app: FastifyInstance, options: DashboardPluginOptions = {}): Promise<void> {
  const assets = options.assets ?? loadDashboardAssets()
  const send = (request: FastifyRequest, reply: FastifyReply, path: string): FastifyReply => {
    reply.headers(DASHBOARD_HEADERS)
    const asset = assets.lookup(path)
    if (asset === undefined) {
      if (path === '/') return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build`.\n')
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n')
    }
    reply.header('etag', asset.etag)
    reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return reply.type(asset.contentType).send(asset.body)
  }
  const config = { public: true }
  app.get('/', { config }, (request, reply) => send(request, reply, '/'))
  app.get('/index.html', { config }, (request, reply) => send(request, reply, '/'))
  app.get<{ Params: { file: string } }>('/assets/:file', { config }, (request, reply) => send(request, reply, `/assets/${request.params.file}`))
  app.get('/favicon.svg', { config }, (request, reply) => send(request, reply, '/favicon.svg'))
}
