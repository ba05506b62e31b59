// Test support for `planspec mcp`: the official SDK's client connected to the real bundled binary,
// over stdio (the client starts it) or streamable HTTP (`--listen`), with every tool call recorded.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { REPO } from './helpers.js'

export const BIN = join(REPO, 'packages/cli/bin/planspec.js')

/** One tool call as the agent made it, and what came back. */
export interface TranscriptEntry {
  readonly agent: string
  readonly tool: string
  readonly arguments: Record<string, unknown>
  readonly result?: Record<string, unknown>
  readonly error?: { readonly code: string; readonly reason: string; readonly message: string }
}

/** What a tool call answered: its structured result, or its coded error. */
export type ToolAnswer = { readonly ok: true; readonly value: Record<string, any> } | { readonly ok: false; readonly error: { code: string; reason: string; message: string; [key: string]: unknown } }

/** An MCP session with `planspec mcp`. */
export interface McpSession {
  readonly client: Client
  /** Everything the server wrote on stderr (audit lines). */
  stderr(): string
  /** URIs the server said were updated (resource subscriptions). */
  readonly updated: string[]
  tool(name: string, args?: Record<string, unknown>): Promise<ToolAnswer>
  close(): Promise<void>
}

function session(client: Client, agent: string, transcript: TranscriptEntry[] | undefined, stderr: () => string, close: () => Promise<void>): McpSession {
  const updated: string[] = []
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri))
  return {
    client,
    stderr,
    updated,
    async tool(name, args = {}) {
      const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })
      if (result.isError) {
        const text = (result.content as { type: string; text: string }[])[0]!.text
        const error = (JSON.parse(text) as { error: { code: string; reason: string; message: string } }).error
        transcript?.push({ agent, tool: name, arguments: args, error: { code: error.code, reason: error.reason, message: error.message } })
        return { ok: false, error }
      }
      transcript?.push({ agent, tool: name, arguments: args, result: result.structuredContent as Record<string, unknown> })
      return { ok: true, value: result.structuredContent as Record<string, any> }
    },
    close,
  }
}

/** Starts `planspec mcp ARGS` as an MCP client does (stdio) and connects the SDK's client to it. */
export async function startMcpStdio(args: readonly string[], env: Record<string, string>, options: { readonly clientName?: string; readonly transcript?: TranscriptEntry[]; readonly agent?: string } = {}): Promise<McpSession> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', ...args], env, stderr: 'pipe', cwd: env.PLANSPEC_TEST_CWD ?? REPO })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const client = new Client({ name: options.clientName ?? 'planspec-test', version: '1.0.0' })
  try {
    await client.connect(transport, { timeout: 60_000 })
  } catch (error) {
    throw new Error(`planspec mcp did not start: ${(error as Error).message}\n${stderr}`)
  }
  return session(client, options.agent ?? options.clientName ?? 'agent', options.transcript, () => stderr, () => client.close())
}

/** Starts `planspec mcp ARGS --listen 127.0.0.1:0` and connects the SDK's streamable HTTP client with the bearer token. */
export async function startMcpHttp(args: readonly string[], env: Record<string, string>, options: { readonly clientName?: string; readonly transcript?: TranscriptEntry[]; readonly agent?: string } = {}): Promise<McpSession & { readonly url: string; readonly child: ChildProcess }> {
  const token = env.PLANSPEC_MCP_TOKEN!
  const child = spawn(process.execPath, [BIN, 'mcp', ...args, '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: env.PLANSPEC_TEST_CWD ?? REPO })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`planspec mcp --listen did not start:\n${stdout}\n${stderr}`)), 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const found = /listening on (http:\/\/\S+)/.exec(stdout)
      if (found) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.once('exit', (code) => reject(new Error(`planspec mcp exited with ${code}:\n${stderr}`)))
  })
  const client = new Client({ name: options.clientName ?? 'planspec-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }), { timeout: 60_000 })
  const close = async (): Promise<void> => {
    await client.close().catch(() => undefined)
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
  return Object.assign(session(client, options.agent ?? options.clientName ?? 'agent', options.transcript, () => stderr, close), { url, child })
}

/** Polls `check` until it holds (a deadline, never a fixed sleep). */
export async function until<T>(check: () => Promise<T | undefined | false>, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
