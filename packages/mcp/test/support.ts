// Test support: a PlanSpec MCP server over a real git repository (examples/ai-agents in a bare
// repository, read and written in place), acting as an agent's real SSH key, connected to the
// SDK's own client through the SDK's in-memory transport.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { createGitResourceClient } from '@planspec/client'
import { createBareRepo, createSshKey, pushFixture } from '@planspec/testing'
import { createValidator } from '@planspec/validator'
import { createPlanSpecMcpServer, type McpAuditEntry, type PlanSpecMcpDeps } from '../src/index.js'

export const REPO = join(import.meta.dirname, '../../..')
const validator = createValidator()

/** The files of examples/ai-agents. */
export function exampleFiles(): Record<string, string> {
  const base = join(REPO, 'examples/ai-agents')
  const walk = (at: string): string[] => readdirSync(at, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(at, e.name)) : [join(at, e.name)]))
  return Object.fromEntries(walk(base).filter((f) => f.endsWith('.yaml')).map((f) => [relative(base, f), readFileSync(f, 'utf8')]))
}

/** A repository with the example (plus `extra` files) whose allowed signers list an agent's key as svc:writer-claude. */
export async function agentRepository(extra: Record<string, string> = {}): Promise<{ root: string; bare: string; env: Record<string, string>; cleanup: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'planspec-mcp-unit-'))
  const key = await createSshKey(root, 'claude')
  const bare = await createBareRepo(root, 'plans.git')
  await pushFixture({ remote: bare, files: { ...exampleFiles(), '.planspec/allowed-signers': `${key.allowedSigner('svc:writer-claude')}\n`, ...extra } })
  const home = join(root, 'home')
  mkdirSync(home, { recursive: true })
  writeFileSync(join(home, '.gitconfig'), `[user]\n\tsigningKey = ${key.keyFile}\n[gpg]\n\tformat = ssh\n`)
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1' }
  return { root, bare, env, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/** Connects the SDK's client to a PlanSpec MCP server for `bare`, through the in-memory transport. */
export async function connect(repository: { root: string; bare: string; env: Record<string, string> }, overrides: Partial<PlanSpecMcpDeps> = {}): Promise<{ client: Client; audit: McpAuditEntry[]; close: () => Promise<void> }> {
  const audit: McpAuditEntry[] = []
  const resourceClient = createGitResourceClient({ repo: repository.bare, env: { cwd: repository.root, env: repository.env }, pollMs: 100 })
  const mcp = createPlanSpecMcpServer({ client: resourceClient, validator, acceptance: { workspace: repository.root, policy: { allowCommands: [], allowUrls: [] } }, version: '0.0.0-test', audit: (entry) => audit.push(entry), ...overrides })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await mcp.server.connect(serverSide)
  const client = new Client({ name: 'unit-test', version: '2.0.0' })
  await client.connect(clientSide)
  return {
    client,
    audit,
    async close() {
      await client.close()
      await mcp.close()
    },
  }
}

/** Calls a tool and returns its structured result, or its coded error. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ ok: true; value: Record<string, any> } | { ok: false; error: Record<string, any> }> {
  const result = await client.callTool({ name, arguments: args })
  if (result.isError) return { ok: false, error: (JSON.parse((result.content as { text: string }[])[0]!.text) as { error: Record<string, any> }).error }
  return { ok: true, value: result.structuredContent as Record<string, any> }
}
