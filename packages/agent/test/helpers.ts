import * as fs from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import http from 'isomorphic-git/http/node'
import { pino } from 'pino'
import { randomBytes } from 'node:crypto'
import { createBareRepo, createSshKey, pushFixture, startGitServer, type GitServer, type SshKey } from '@planspec/testing'
import { createAgentKeyring, createGitStoreCache, signPayload, type AgentKeyring } from '@planspec/git-store'
import { createValidator, type Validator } from '@planspec/validator'
import { createAgent, gitAgentRepo, type Agent, type AgentOptions, type GitAgentRepo } from '../src/index.js'

export { fs, http }

export const REPO_ROOT = join(import.meta.dirname, '../../..')
export const NODE = process.execPath
const cleanups: (() => Promise<void>)[] = []
let validator: Validator | undefined

/** Stops servers and agents and removes directories of the test that just ran. */
export async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined)
}

export async function tempDir(prefix = 'planspec-agent-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Reads a folder of the repository (e.g. examples/minimal) into fixture files. */
export function filesOf(folder: string): Record<string, string> {
  const files: Record<string, string> = {}
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.ya?ml$/.test(entry.name)) files[relative(join(REPO_ROOT, folder), path)] = fs.readFileSync(path, 'utf8')
    }
  }
  walk(join(REPO_ROOT, folder))
  return files
}

/** A loopback smart-HTTP git server with one bare repository `plans.git`. */
export interface Remote {
  readonly server: GitServer
  readonly bare: string
  readonly url: string
  push(files: Record<string, string | null>, options?: { author?: { name: string; email: string }; message?: string; orphan?: boolean; signingKey?: string; branch?: string; mergeWith?: readonly string[] }): Promise<string>
  /** A repository handle with its own clone (as a separate agent or person has). */
  open(extra?: { statusBranch?: string; agentKey?: AgentKeyring; allowUnsignedRequests?: boolean }): Promise<GitAgentRepo>
  /** The key the agents of this remote share. */
  readonly agentKey: AgentKeyring
  /** A person's SSH key (made once per name). */
  key(name: string): Promise<SshKey>
  /** The content of an allowed-signers file listing each e-mail with the key of the same name. */
  signers(people: Record<string, string>): Promise<string>
  /** Appends a request as a person does: the commit signed with their key (`planspec approve`). */
  request(person: { name: string; email: string }, keyName: string | undefined, request: Parameters<GitAgentRepo['appendRequest']>[0]): Promise<string>
}

export async function startRemote(): Promise<Remote> {
  const root = await tempDir('planspec-remote-')
  const bare = await createBareRepo(root, 'plans.git')
  const server = await startGitServer({ root })
  cleanups.push(() => server.close())
  const url = server.url('plans.git')
  let date = 1_700_000_000
  const keysDir = await tempDir('planspec-keys-')
  const keys = new Map<string, Promise<SshKey>>()
  const key = (name: string): Promise<SshKey> => {
    let found = keys.get(name)
    if (found === undefined) keys.set(name, (found = createSshKey(keysDir, name)))
    return found
  }
  const open = async (extra: { statusBranch?: string; agentKey?: AgentKeyring; allowUnsignedRequests?: boolean } = {}) => gitAgentRepo({ fs, http, dir: await tempDir('planspec-clone-'), url, cache: createGitStoreCache({ validator: (validator ??= createValidator()) }), timeoutMs: 5_000, ...extra })
  return {
    server,
    bare,
    url,
    agentKey: createAgentKeyring([randomBytes(32)]),
    key,
    push: (files, options = {}) => pushFixture({ remote: bare, files, date: (date += 60), ...options }),
    open,
    async signers(people) {
      const lines = await Promise.all(Object.entries(people).map(async ([email, name]) => (await key(name)).allowedSigner(email)))
      return `${lines.join('\n')}\n`
    },
    async request(person, keyName, request) {
      const repo = await open()
      const signing = keyName === undefined ? undefined : await key(keyName)
      return repo.appendRequest(request, person, signing ? (payload) => signPayload(payload, { keyFile: signing.keyFile }) : undefined)
    },
  }
}

/** An agent on `remote` with quiet logs, short intervals and the given overrides. */
export async function startAgent(remote: Remote, overrides: Partial<AgentOptions> = {}, repoOptions: { allowUnsignedRequests?: boolean } = {}): Promise<{ agent: Agent; repo: GitAgentRepo; logs: Record<string, unknown>[] }> {
  const repo = await remote.open({ agentKey: remote.agentKey, ...repoOptions })
  const logs: Record<string, unknown>[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) })
  const agent = createAgent({
    repo,
    logger,
    policy: { allowCommands: [NODE], allowUrls: [] },
    workspaceRoot: await tempDir('planspec-ws-'),
    intervalMs: 200,
    pollMs: 50,
    trust: repo,
    desiredAt: (rev) => repo.desiredAt(rev),
    ...overrides,
  })
  cleanups.push(async () => agent.stop())
  return { agent, repo, logs }
}

/** Polls `check` until it holds (a deadline, never a fixed sleep). */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
