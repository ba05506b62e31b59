import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { PlanSpecMcpServer } from './create-mcp-server.js'

/** Options of {@link serveMcpHttp}. */
export interface McpHttpOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** The bearer token every request must carry (`Authorization: Bearer …`). Never logged. */
  readonly token: string
  /** Creates the MCP server of a new session. */
  readonly create: () => PlanSpecMcpServer
  /** Largest request body (default 2 MiB): larger ones get 413 before they are parsed. */
  readonly maxBodyBytes?: number
  /** Most sessions at once (default 32): more get 503. */
  readonly maxSessions?: number
}

/** A listening MCP endpoint. */
export interface McpHttpServer {
  /** `http://HOST:PORT/mcp`. */
  readonly url: string
  /** Closes every session and stops listening. */
  close(): Promise<void>
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

/**
 * Serves the MCP streamable HTTP transport (the SDK's `StreamableHTTPServerTransport`, one
 * session per client, each with its own PlanSpec MCP server) at `/mcp` on node:http. Every
 * request must carry the bearer token (401 otherwise, compared in constant time); a browser
 * `Origin` other than this host is refused (403, DNS rebinding); bodies are capped before they are
 * parsed (413); at most `maxSessions` sessions live at once (503). `close` ends every session.
 *
 * @example
 * const http = await serveMcpHttp({ host: '127.0.0.1', port: 0, token, create: () => createPlanSpecMcpServer(deps) })
 */
export async function serveMcpHttp(options: McpHttpOptions): Promise<McpHttpServer> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; mcp: PlanSpecMcpServer }>()
  const expected = digest(options.token)
  const maxBody = options.maxBodyBytes ?? 2 * 1024 * 1024
  const fail = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }))
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') return fail(res, 404, 'not found: the MCP endpoint is /mcp')
    const presented = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) return fail(res, 401, 'a bearer token is required (PLANSPEC_MCP_TOKEN)', { 'www-authenticate': 'Bearer realm="planspec-mcp"' })
    const origin = req.headers.origin
    if (origin !== undefined && !sameHost(origin, req.headers.host)) return fail(res, 403, `origin ${origin.slice(0, 100)} is not allowed`)
    const sessionId = req.headers['mcp-session-id']
    const known = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (known === undefined) return fail(res, 404, 'unknown session')
      return known.transport.handleRequest(req, res)
    }
    if (req.method !== 'POST') return fail(res, 405, 'method not allowed', { allow: 'GET, POST, DELETE' })
    const body = await readJson(req, maxBody)
    if (body === undefined) return fail(res, 413, `the body is larger than ${maxBody} bytes or not JSON`)
    if (known !== undefined) return known.transport.handleRequest(req, res, body)
    if (typeof sessionId === 'string') return fail(res, 404, 'unknown session')
    if (!isInitializeRequest(body)) return fail(res, 400, 'no session: start with an initialize request')
    if (sessions.size >= (options.maxSessions ?? 32)) return fail(res, 503, 'too many sessions')
    const mcp = options.create()
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void sessions.set(id, { transport, mcp }) })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
      void mcp.close()
    }
    await mcp.server.connect(transport)
    await transport.handleRequest(req, res, body)
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) fail(res, 500, (error as Error)?.message ?? 'internal error')
      else res.end()
    })
  })
  server.headersTimeout = 20_000
  server.requestTimeout = 0 // SSE streams stay open; the transport ends them.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}/mcp`,
    async close() {
      await Promise.all([...sessions.values()].map(async ({ transport, mcp }) => {
        await transport.close().catch(() => undefined)
        await mcp.close()
      }))
      sessions.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Reads a JSON body of at most `max` bytes; undefined when larger or not JSON. */
async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) return undefined
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** A browser origin is fine when it names this host (or both are loopback names). */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    const from = new URL(origin)
    if (host === undefined) return false
    if (from.host === host) return true
    const hostname = host.replace(/:\d+$/, '')
    return LOOPBACK.has(from.hostname) && LOOPBACK.has(hostname)
  } catch {
    return false
  }
}
