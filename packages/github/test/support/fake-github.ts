/**
 * A fake GitHub REST API on 127.0.0.1 (node:http), started per test. It implements only the
 * operations PlanSpec uses, and checks every request it receives and every response it sends
 * against GitHub's published OpenAPI description (see openapi-contract.ts). Anything that does
 * not match is recorded in `violations`; tests assert the list is empty.
 *
 * State (comments, statuses, pull requests, files, teams, permissions) lives in plain maps the
 * tests read afterwards. Faults (rate limits, 5xx, 404, 422) are queued per operation id.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHandlers, defaultFaultBody, DOCS, forbidden, notFound, type Answer } from './fake-github-handlers.js'
import type { CommentRecord, FileChange, StatusRecord } from './github-objects.js'
import type { PullRequestRecord } from './pull-request-objects.js'
import { loadOpenApiContract } from './openapi-contract.js'

export { COMMENT_BODY_LIMIT, PULL_FILES_LIMIT } from './fake-github-handlers.js'

/** A canned answer for the next calls of one operation. */
export interface Fault {
  /** Operation id from the description, e.g. `issues/create-comment`. */
  readonly operation: string
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
  /** How many calls get this answer (default 1). */
  readonly times?: number
}

/** A token the fake accepts: whose it is, and whether it may write (fork PRs get read-only ones). */
export interface TokenGrant {
  readonly login: string
  readonly write: boolean
}

/** One request as the fake saw it. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly operation: string
  readonly status: number
  readonly authorization?: string
}

/** The token the fake accepts by default, with write access. */
export const TEST_TOKEN = 'ghs_fakeTokenForTests000000000000000001'

/** The fake GitHub server and its state. */
export interface FakeGitHub {
  readonly url: string
  /** Requests or responses that did not match the OpenAPI description. */
  readonly violations: string[]
  readonly requests: RecordedRequest[]
  readonly comments: Map<number, CommentRecord>
  readonly statuses: StatusRecord[]
  readonly pulls: Map<string, PullRequestRecord & { files: FileChange[] }>
  /** `owner/repo@ref:path` → text. */
  readonly files: Map<string, string>
  /** `org/slug` → login → state. */
  readonly teams: Map<string, Map<string, 'active' | 'pending'>>
  /** `owner/repo` → login → permission. */
  readonly permissions: Map<string, Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read'>>
  readonly tokens: Map<string, TokenGrant>
  /** The fake's clock as RFC 3339 (it advances one second per write). */
  now(): string
  fail(fault: Fault): void
  addPullRequest(pr: Partial<PullRequestRecord> & { owner: string; repo: string; number: number; author: string; files?: FileChange[] }): PullRequestRecord
  addComment(owner: string, repo: string, issueNumber: number, author: string, body: string): CommentRecord
  putFile(owner: string, repo: string, ref: string, path: string, text: string): void
  commentsOn(owner: string, repo: string, issueNumber: number): CommentRecord[]
  /** Writes (POST, PATCH, PUT, DELETE) answered with a 2xx, by operation id. */
  writes(operation?: string): RecordedRequest[]
  close(): Promise<void>
}

/** The state the handlers read and change. */
export interface FakeState {
  readonly violations: string[]
  readonly requests: RecordedRequest[]
  readonly comments: Map<number, CommentRecord>
  readonly statuses: StatusRecord[]
  readonly pulls: Map<string, PullRequestRecord & { files: FileChange[] }>
  readonly files: Map<string, string>
  readonly teams: Map<string, Map<string, 'active' | 'pending'>>
  readonly permissions: Map<string, Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read'>>
  readonly tokens: Map<string, TokenGrant>
}

/** Starts a fake GitHub on an ephemeral loopback port. */
export async function startFakeGitHub(options: { readonly time?: string; readonly branchHead?: (owner: string, repo: string, branch: string) => string | undefined } = {}): Promise<FakeGitHub> {
  const contract = loadOpenApiContract()
  let clock = Date.parse(options.time ?? '2026-01-01T00:00:00Z')
  let nextId = 1_000_000_000
  const faults: (Fault & { remaining: number })[] = []
  const state: FakeState = {
    violations: [],
    requests: [],
    comments: new Map(),
    statuses: [],
    pulls: new Map(),
    files: new Map(),
    teams: new Map(),
    permissions: new Map(),
    tokens: new Map<string, TokenGrant>([[TEST_TOKEN, { login: 'github-actions[bot]', write: true }]]),
  }
  const iso = (): string => new Date(clock).toISOString().replace('.000Z', 'Z')
  const tick = (): string => {
    clock += 1000
    return iso()
  }
  let baseUrl = ''
  const handlers = createHandlers({ state, tick, newId: () => (nextId += 1), baseUrl: () => baseUrl, ...(options.branchHead ? { branchHead: options.branchHead } : {}) })

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      state.violations.push(`fake GitHub crashed: ${error instanceof Error ? error.stack : String(error)}`)
      if (!response.headersSent) response.writeHead(500).end()
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request)
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const method = request.method ?? 'GET'
    const matched = contract.match(method, url.pathname)
    const authorization = request.headers.authorization
    if (matched === undefined) {
      state.violations.push(`${method} ${url.pathname} matches no operation of the GitHub description`)
      return send(response, { status: 404, body: { message: 'Not Found', documentation_url: DOCS } })
    }
    const operation = matched.operation.id
    const record = (status: number): void => {
      state.requests.push({ method, path: url.pathname, operation, status, ...(authorization === undefined ? {} : { authorization }) })
    }
    state.violations.push(...contract.checkRequest(matched, url.searchParams, raw, request.headers['content-type']).map((v) => `${method} ${url.pathname}: ${v}`))
    const finish = (answer: Answer): void => {
      state.violations.push(...contract.checkResponse(matched, answer.status, answer.body).map((v) => `${method} ${url.pathname}: ${v}`))
      record(answer.status)
      send(response, answer)
    }
    const token = /^(?:token|bearer) (.+)$/i.exec(authorization ?? '')?.[1]
    const grant = token === undefined ? undefined : state.tokens.get(token)
    if (grant === undefined) return finish({ status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } })
    const fault = faults.find((f) => f.operation === operation && f.remaining > 0)
    if (fault !== undefined) {
      fault.remaining -= 1
      return finish({ status: fault.status, body: fault.body ?? defaultFaultBody(fault.status), headers: { ...fault.headers } })
    }
    if (method !== 'GET' && !grant.write) return finish(forbidden('Resource not accessible by integration'))
    const handler = handlers[operation]
    if (handler === undefined) {
      state.violations.push(`${method} ${url.pathname}: the fake does not implement ${operation}`)
      return finish(notFound())
    }
    let body: Record<string, unknown> = {}
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>
      } catch {
        return finish({ status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS } })
      }
    }
    finish(handler({ matched, query: url.searchParams, body, grant }))
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: baseUrl,
    ...state,
    now: iso,
    fail: (fault) => faults.push({ ...fault, remaining: fault.times ?? 1 }),
    addPullRequest(pr) {
      const createdAt = tick()
      const record = {
        title: `Change ${pr.number}`,
        headSha: `${'a'.repeat(39)}${pr.number % 10}`,
        headRef: `feature-${pr.number}`,
        baseSha: `${'b'.repeat(39)}${pr.number % 10}`,
        baseRef: 'main',
        headRepo: `${pr.owner}/${pr.repo}`,
        createdAt,
        ...pr,
        files: [...(pr.files ?? [])],
      }
      state.pulls.set(`${pr.owner}/${pr.repo}#${pr.number}`, record)
      return record
    },
    addComment(owner, repo, issueNumber, author, body) {
      const now = tick()
      const comment: CommentRecord = { id: (nextId += 1), owner, repo, issueNumber, body, author, createdAt: now, updatedAt: now }
      state.comments.set(comment.id, comment)
      return comment
    },
    putFile(owner, repo, ref, path, text) {
      state.files.set(`${owner}/${repo}@${ref}:${path}`, text)
    },
    commentsOn(owner, repo, issueNumber) {
      return [...state.comments.values()].filter((c) => c.owner === owner && c.repo === repo && c.issueNumber === issueNumber)
    },
    writes(operation) {
      return state.requests.filter((r) => r.method !== 'GET' && r.status < 300 && (operation === undefined || r.operation === operation))
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function send(response: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = {
    'x-github-request-id': `FAKE:${Math.floor(Math.random() * 1e9).toString(16)}`,
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    ...answer.headers,
  }
  if (answer.body === undefined) {
    response.writeHead(answer.status, headers).end()
    return
  }
  response.writeHead(answer.status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer.body))
}
