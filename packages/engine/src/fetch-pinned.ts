import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import type { PinnedRequest, PinnedResponse } from './types.js'

/**
 * Sends a vetted request to its pinned IP with `node:http`/`node:https`, never following
 * redirects: the socket goes to `req.address`, the `Host` header and TLS server name come from the
 * URL (so an https certificate is still checked against the host name), and no DNS lookup
 * happens. Reading stops past `req.maxBytes` (`tooLarge: true`). Rejects on network errors and
 * on abort. This is the default `fetch` of {@link createProviders}.
 *
 * @example
 * ```ts
 * const res = await fetchPinned({ url: new URL('https://api.example.com/x'), address: '93.184.215.14',
 *   method: 'GET', headers: {}, maxBytes: 65536, signal })
 * ```
 */
export function fetchPinned(req: PinnedRequest): Promise<PinnedResponse> {
  return new Promise((resolve, reject) => {
    const secure = req.url.protocol === 'https:'
    const hostname = req.url.hostname.replace(/^\[|\]$/g, '')
    const options: https.RequestOptions = {
      host: req.address,
      port: req.url.port === '' ? (secure ? 443 : 80) : Number(req.url.port),
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers: { ...req.headers, host: req.url.host },
      signal: req.signal,
      agent: false,
    }
    if (secure && isIP(hostname) === 0) options.servername = hostname
    const request = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      const headers: Record<string, string | undefined> = {}
      for (const [key, value] of Object.entries(res.headers)) {
        headers[key] = Array.isArray(value) ? value.join(', ') : value
      }
      const done = (tooLarge: boolean): void =>
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), tooLarge })
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > req.maxBytes) {
          res.destroy()
          done(true)
        } else chunks.push(chunk)
      })
      res.on('end', () => done(false))
      res.on('error', reject)
    })
    request.on('error', reject)
    request.end(req.body)
  })
}
