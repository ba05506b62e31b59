// Benchmark: what going through the MCP server costs an agent, against the same operation on the
// client port directly, measured in the same run on the same repository (git mode, a local
// repository with an agent that has blocked every run on claimable work):
// - `get` of one Execution: an MCP tool call (the SDK's client over its in-memory transport, input
//   checks, secret masking, and the client validating the result against the tool's output
//   schema) against `ResourceClient.get`;
// - claiming a node: `claim_work` against `ResourceClient.request('claim')` (both sign a request
//   commit and judge the claim on the branch).
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { pino } from 'pino'
import { createAgent, gitAgentRepo } from '@planspec/agent'
import { createGitResourceClient } from '@planspec/client'
import { createAgentKeyring } from '@planspec/git-store'
import { createPlanSpecMcpServer } from '@planspec/mcp'
import { createBareRepo, createSshKey, pushFixture } from '@planspec/testing'
import { createValidator } from '@planspec/validator'

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const time = async (fn) => {
  const t = performance.now()
  await fn()
  return performance.now() - t
}
const H = 'apiVersion: planspec.io/v1alpha1\n'

/** Runs the benchmark and prints its figures. */
export async function run() {
  console.log('mcp: a tool call against the same operation on the client port (medians, ratios to same-run baselines)')
  const root = mkdtempSync(join(tmpdir(), 'bench-mcp-'))
  const key = await createSshKey(root, 'agent')
  const runs = 30
  const files = {
    '.planspec/allowed-signers': `${key.allowedSigner('svc:writer')}\n`,
    'goal.yaml': `${H}kind: Goal\nmetadata: { name: g }\nspec: { description: Docs }\n`,
    'capability.yaml': `${H}kind: Capability\nmetadata: { name: writing }\nspec: { description: Writing }\n`,
    'plan.yaml': `${H}kind: Plan\nmetadata: { name: p }\nspec:\n  description: One claimable task\n  goalRef: { name: g }\n  graph:\n    nodes:\n      - { id: write, kind: Task, capabilityRefs: [{ name: writing }], outputs: [url] }\n`,
    'binding.yaml': `${H}kind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: writing } }\n      target: { provider: "agent://writer" }\n`,
  }
  for (let i = 0; i < runs; i++) files[`executions/e${i}.yaml`] = `${H}kind: Execution\nmetadata: { name: e${i} }\nspec: { goalRef: { name: g }, planRef: { name: p }, bindingRef: { name: b } }\n`
  const bare = await createBareRepo(root, 'plans.git')
  await pushFixture({ remote: bare, files })
  const repo = gitAgentRepo({ fs, dir: bare, agentKey: createAgentKeyring([randomBytes(32)]) })
  const agent = createAgent({ repo, logger: pino({ level: 'silent' }), policy: { allowCommands: [], allowUrls: [] }, workspaceRoot: join(root, 'ws'), intervalMs: 1000, maxNewLeases: runs, trust: repo, desiredAt: (rev) => repo.desiredAt(rev) })
  await agent.runOnce()
  agent.stop()
  const home = join(root, 'home')
  mkdirSync(home, { recursive: true })
  writeFileSync(join(home, '.gitconfig'), `[user]\n\tsigningKey = ${key.keyFile}\n[gpg]\n\tformat = ssh\n`)
  const env = { cwd: root, env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), GIT_CONFIG_NOSYSTEM: '1' } }
  const direct = createGitResourceClient({ repo: bare, env })
  const mcp = createPlanSpecMcpServer({ client: createGitResourceClient({ repo: bare, env }), validator: createValidator(), acceptance: { workspace: root, policy: { allowCommands: [], allowUrls: [] } }, version: 'bench' })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await mcp.server.connect(serverSide)
  const client = new Client({ name: 'bench', version: '1' })
  await client.connect(clientSide)
  await client.listTools()
  await direct.whoami()
  await client.callTool({ name: 'whoami', arguments: {} })

  const gets = { direct: [], mcp: [] }
  for (let round = 0; round < 40; round++) {
    gets.direct.push(await time(() => direct.get('execution', `e${round % runs}`)))
    gets.mcp.push(await time(() => client.callTool({ name: 'get', arguments: { kind: 'execution', name: `e${round % runs}` } })))
  }
  const g = { direct: median(gets.direct), mcp: median(gets.mcp) }
  console.log(JSON.stringify({ measure: 'get one Execution', baselineClientMs: +g.direct.toFixed(1), mcpMs: +g.mcp.toFixed(1), ratio: +(g.mcp / g.direct).toFixed(2) }))

  const claims = { direct: [], mcp: [] }
  for (let i = 0; i + 1 < runs; i += 2) {
    claims.direct.push(await time(() => direct.request('claim', { kind: 'Execution', name: `e${i}`, node: 'write' })))
    claims.mcp.push(await time(() => client.callTool({ name: 'claim_work', arguments: { execution: `e${i + 1}`, node: 'write' } })))
  }
  const c = { direct: median(claims.direct), mcp: median(claims.mcp) }
  console.log(JSON.stringify({ measure: 'claim a node (sign, push, judge)', baselineClientMs: +c.direct.toFixed(1), mcpMs: +c.mcp.toFixed(1), ratio: +(c.mcp / c.direct).toFixed(2) }))
  await client.close()
  await mcp.close()
  fs.rmSync(root, { recursive: true, force: true })
}
