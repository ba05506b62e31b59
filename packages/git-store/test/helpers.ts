import * as fs from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import http from 'isomorphic-git/http/node'
import { createBareRepo, startGitServerProcess, type GitServer } from '@planspec/testing'
import { createValidator, type Validator } from '@planspec/validator'
import { createGitStoreCache, type GitRepository } from '../src/index.js'

export { fs, http }

let validator: Validator | undefined

/** A cache with the validator shared by the whole test file (compiling schemas is slow). */
export function sharedCache(): ReturnType<typeof createGitStoreCache> {
  return createGitStoreCache({ validator: (validator ??= createValidator()) })
}

const cleanups: (() => Promise<void>)[] = []

/**
 * Stops the servers and removes the directories of the test that just ran. Every test file
 * registers it with `afterEach(cleanup)` itself: files share worker processes (isolate: false),
 * so a hook registered by this module would only reach the first file.
 */
export async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step()
}

/** A temporary directory removed after the test. */
export async function tempDir(prefix = 'planspec-git-store-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A loopback smart-HTTP server with one empty bare repository. */
export interface Remote {
  /** Shared with other tests unless asked for `own`: count traffic only with `own`. */
  readonly server: GitServer
  readonly bare: string
  readonly url: string
  /** Options for a new agent (its own cache directory and caches) against this remote. */
  agent(extra?: Partial<GitRepository>): Promise<GitRepository>
}

let shared: Promise<{ server: GitServer; root: string }> | undefined
let repositories = 0

/**
 * Gives a test its own bare repository `plans-N.git` behind a loopback smart-HTTP server. The
 * server (a child process) is shared by the tests of a worker; `own: true`, or credentials, get
 * a server of their own, stopped after the test (for outages and auth).
 */
export async function startRemote(options: { auth?: { username: string; password: string }; own?: boolean } = {}): Promise<Remote> {
  let host: { server: GitServer; root: string }
  if (options.own || options.auth) {
    const root = await tempDir('planspec-remote-')
    const server = await startGitServerProcess({ root, ...options })
    cleanups.push(() => server.close())
    host = { server, root }
  } else {
    // The shared server outlives the tests; its process ends with this one (its IPC channel
    // closes), and its directory with the run (test/global-setup.ts).
    shared ??= (async () => {
      const root = await mkdtemp(join(process.env.PLANSPEC_TEST_GIT_ROOT ?? tmpdir(), 'remote-'))
      return { server: await startGitServerProcess({ root }), root }
    })()
    host = await shared
  }
  const name = `plans-${process.pid}-${repositories++}.git`
  const bare = await createBareRepo(host.root, name)
  cleanups.push(() => rm(bare, { recursive: true, force: true }))
  const url = host.server.url(name)
  return {
    server: host.server,
    bare,
    url,
    agent: async (extra = {}) => ({ fs, http, dir: await tempDir('planspec-cache-'), url, cache: sharedCache(), timeoutMs: 5_000, ...extra }),
  }
}

const H = 'apiVersion: planspec.io/v1alpha1\n'

/** A valid Goal manifest. */
export function goal(name: string, description = `Goal ${name}`, namespace?: string): string {
  return `${H}kind: Goal\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}spec:\n  description: ${description}\n`
}

/** A valid Plan manifest with a chain of `size` tasks. */
export function plan(name: string, size = 2, namespace?: string): string {
  const nodes = Array.from({ length: size }, (_, i) => `      - id: t${i}\n        kind: Task\n        name: Step ${i}\n${i ? `        dependsOn: [t${i - 1}]\n` : ''}`).join('')
  return `${H}kind: Plan\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}spec:\n  description: Plan ${name}\n  goalRef: { name: g }\n  graph:\n    nodes:\n${nodes}`
}
