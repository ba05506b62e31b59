import { randomBytes } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGitResourceClient } from '@planspec/client'
import { createValidator } from '@planspec/validator'
import { createPlanSpecMcpServer, serveMcpHttp, withTimeout, type McpHttpServer } from '../src/index.js'
import { agentRepository } from './support.js'

const TOKEN = randomBytes(24).toString('hex')
let repository: Awaited<ReturnType<typeof agentRepository>>
let http: McpHttpServer
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }

beforeAll(async () => {
  repository = await agentRepository()
  const client = createGitResourceClient({ repo: repository.bare, env: { cwd: repository.root, env: repository.env } })
  const validator = createValidator()
  http = await serveMcpHttp({ host: '127.0.0.1', port: 0, token: TOKEN, maxSessions: 2, maxBodyBytes: 64 * 1024, create: () => createPlanSpecMcpServer({ client, validator, acceptance: { workspace: repository.root, policy: { allowCommands: [], allowUrls: [] } }, version: 'test' }) })
}, 120_000)
afterAll(async () => {
  await http?.close()
  repository?.cleanup()
})

const post = (body: unknown, headers: Record<string, string> = {}, path = '/mcp') =>
  fetch(new URL(path, http.url), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}`, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })

describe('serveMcpHttp', () => {
  it('serves sessions to the SDK client with the bearer token, one MCP server each', async () => {
    const client = new Client({ name: 'http-test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }))
    const answer = await client.callTool({ name: 'whoami', arguments: {} })
    expect(answer.structuredContent).toMatchObject({ subject: 'svc:writer-claude', client: 'mcp:http-test/1.0.0' })
    await client.close()
  })

  it('refuses a missing or wrong token (401), a foreign browser origin (403), another path (404), an oversized body (413), and requests without a session (400, 404)', async () => {
    expect((await post(initialize, { authorization: '' })).status).toBe(401)
    const wrong = await post(initialize, { authorization: `Bearer ${TOKEN}x` })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer')
    expect((await post(initialize, { origin: 'https://evil.example' })).status).toBe(403)
    expect((await post(initialize, {}, '/other')).status).toBe(404)
    expect((await post(`{"pad":"${'x'.repeat(70 * 1024)}"}`)).status).toBe(413)
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(400)
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'nope' })).status).toBe(404)
    // A browser page on this host itself may connect.
    const local = await post(initialize, { origin: http.url.replace(/\/mcp$/, '') })
    expect(local.status).toBe(200)
  })
})

describe('withTimeout', () => {
  it('answers a coded timeout and aborts the work it bounds', async () => {
    let aborted = false
    await expect(withTimeout(50, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => { aborted = true; setTimeout(resolve, 10) })))).rejects.toMatchObject({ code: 'PLANSPEC_ERR_MCP_TIMEOUT', reason: 'Timeout' })
    expect(aborted).toBe(true)
  })
})
