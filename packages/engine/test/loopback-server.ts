import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request a loopback server received. */
export interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

/** A real HTTP server on 127.0.0.1 whose handler the test sets; counts what it receives. */
export interface LoopbackServer {
  port: number
  received: Received[]
  handle: (fn: (req: Received, res: http.ServerResponse) => void) => void
  close: () => Promise<void>
}

/** Starts a loopback HTTP server on an ephemeral port. */
export async function startServer(): Promise<LoopbackServer> {
  const received: Received[] = []
  let handler: (req: Received, res: http.ServerResponse) => void = (_req, res) => res.end('{}')
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      received.push(r)
      handler(r, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    received,
    handle: (fn) => {
      handler = fn
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Sends a JSON answer. */
export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}
