import { spawn } from 'node:child_process'
import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** The Debian location of git's smart-HTTP CGI program. */
export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend'

/** Options of {@link startGitServer}. */
export interface GitServerOptions {
  /** Directory holding the bare repositories served (GIT_PROJECT_ROOT). */
  readonly root: string
  /** When set, every request must carry these basic-auth credentials, else 401. */
  readonly auth?: { readonly username: string; readonly password: string }
  /** Path of the CGI program; {@link GIT_HTTP_BACKEND} by default. */
  readonly backend?: string
}

/**
 * How {@link GitServer.down} makes the remote unreachable:
 * - `refuse`: the listener is closed (connection refused); `up()` listens on the same port again;
 * - `reset`: connections are accepted and reset at once (ECONNRESET);
 * - `unavailable`: every request gets `503 Service Unavailable`;
 * - `hang`: connections are accepted and never answered (for timeout tests).
 */
export type OutageMode = 'refuse' | 'reset' | 'unavailable' | 'hang'

/** Counters of what the server saw, for tests that assert on traffic. */
export interface GitServerStats {
  /** Requests answered by the CGI (auth refusals and outages excluded). */
  requests: number
  /** `git-receive-pack` POSTs, i.e. push attempts that reached git. */
  pushes: number
  /** Requests refused with 401. */
  unauthorized: number
}

/** A running loopback smart-HTTP git server. */
export interface GitServer {
  /** The port it listens on (127.0.0.1). */
  readonly port: number
  /** Traffic counters. */
  readonly stats: GitServerStats
  /** The clone URL of a repository under the root, e.g. `url('plans.git')`. */
  url(repo: string): string
  /** Simulates an unreachable remote until {@link GitServer.up}; `reset` by default. */
  down(mode?: OutageMode): Promise<void>
  /** Ends an outage started by {@link GitServer.down}. */
  up(): Promise<void>
  /** Brings `stats` up to date (a no-op in process; a round trip for `startGitServerProcess`). */
  sync(): Promise<void>
  /** Stops the server and drops every connection. */
  close(): Promise<void>
}

/**
 * Starts git's own smart-HTTP backend (`git http-backend`, run as a CGI through `spawn` with an
 * argv, never a shell) behind a `node:http` server on 127.0.0.1, port 0. Pushes are enabled
 * (REMOTE_USER is set). Both native git and isomorphic-git can clone, fetch and push through it.
 *
 * @example
 * const server = await startGitServer({ root })
 * await createBareRepo(root, 'plans.git')
 * await git.clone({ fs, http, dir, url: server.url('plans.git') })
 * await server.close()
 */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const sockets = new Set<Socket>()
  const stats: GitServerStats = { requests: 0, pushes: 0, unauthorized: 0 }
  const hung = new Set<Socket>()
  let outage: OutageMode | undefined
  const server = createServer((req, res) => {
    if (outage === 'hang') {
      hung.add(req.socket)
      return
    }
    if (outage === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable\n')
      return
    }
    if (options.auth && !authorized(req, options.auth)) {
      stats.unauthorized++
      res.writeHead(401, { 'www-authenticate': 'Basic realm="planspec-test"', 'content-type': 'text/plain' }).end('authentication required\n')
      return
    }
    stats.requests++
    if (req.method === 'POST' && req.url?.split('?')[0]?.endsWith('/git-receive-pack')) stats.pushes++
    runBackend(options, req, res)
  })
  server.on('connection', (socket: Socket) => {
    if (outage === 'reset') {
      socket.resetAndDestroy()
      return
    }
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await listen(server, 0)
  const port = (server.address() as AddressInfo).port
  const drop = (which: Set<Socket>): void => {
    for (const socket of which) socket.destroy()
    which.clear()
  }
  return {
    port,
    stats,
    url: (repo) => `http://127.0.0.1:${port}/${repo.replace(/^\/+/, '')}`,
    async down(mode = 'reset') {
      outage = mode
      // A 503 goes out on open connections too; the other modes cut them.
      if (mode !== 'unavailable') drop(sockets)
      if (mode === 'refuse') await closeServer(server)
    },
    async up() {
      const was = outage
      outage = undefined
      // Only the requests held by `hang` are cut; idle keep-alive connections stay usable.
      drop(hung)
      if (was === 'refuse') await listen(server, port)
    },
    async sync() {},
    async close() {
      outage = undefined
      drop(hung)
      drop(sockets)
      if (server.listening) await closeServer(server)
    },
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

function authorized(req: IncomingMessage, expected: { username: string; password: string }): boolean {
  const header = req.headers.authorization ?? ''
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(header)
  if (!match?.[1]) return false
  const given = Buffer.from(match[1], 'base64')
  const wanted = Buffer.from(`${expected.username}:${expected.password}`)
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name]
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
}

/** Runs one request through the CGI: request body to stdin, CGI headers then body back. */
function runBackend(options: GitServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: options.root,
    GIT_HTTP_EXPORT_ALL: '1',
    REMOTE_USER: options.auth?.username ?? 'planspec-test',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: header(req, 'content-type'),
    GIT_PROTOCOL: header(req, 'git-protocol'),
    // Native git gzips large push bodies; the backend inflates them when told (TOOLCHAIN 10).
    HTTP_CONTENT_ENCODING: header(req, 'content-encoding'),
  }
  const length = header(req, 'content-length')
  if (length) env.CONTENT_LENGTH = length
  const child = spawn(options.backend ?? GIT_HTTP_BACKEND, [], { env, shell: false, stdio: ['pipe', 'pipe', 'ignore'] })
  let head = Buffer.alloc(0)
  let headersSent = false
  child.on('error', () => {
    if (!res.headersSent) res.writeHead(500).end()
    else res.destroy()
  })
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk)
      return
    }
    head = Buffer.concat([head, chunk])
    const end = headerEnd(head)
    if (!end) return
    headersSent = true
    const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString('latin1'))
    res.writeHead(status, headers)
    const rest = head.subarray(end.at + end.length)
    if (rest.length) res.write(rest)
  })
  child.stdout.on('end', () => {
    if (!headersSent) res.writeHead(502).end()
    else res.end()
  })
  child.stdin.on('error', () => undefined)
  req.pipe(child.stdin)
  res.on('close', () => {
    if (child.exitCode === null) child.kill()
  })
}

function headerEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n')
  const lf = buffer.indexOf('\n\n')
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 }
  if (lf >= 0) return { at: lf, length: 2 }
  return undefined
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200
  const headers: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500
    else headers[name] = value
  }
  return { status, headers }
}
