import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { Octokit } from '@octokit/rest'
import { clientFor, createGitResourceClient, createHttpResourceClient, type ResourceClient } from '@planspec/client'
import { commentOnPullRequestOf, openPullRequest } from '@planspec/github'
import { createPlanSpecMcpServer, serveMcpHttp, type PlanSpecMcpDeps, type ProposalPort } from '@planspec/mcp'
import { createValidator } from '@planspec/validator'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { validationWorkerUrl } from '../../validation-worker-url.js'
import { secretValues } from '../../secret-values.js'
import { VERSION } from '../../version.js'
import { resolveContext } from '../server/resolve-context.js'
import { splitAddress } from '../server/serve.js'

/** Options of `planspec mcp`. */
export interface McpCommandOptions {
  readonly repo?: string
  readonly server?: string
  readonly context?: string
  readonly branch: string
  readonly statusBranch: string
  readonly cacheDir?: string
  /** Which principal of the signing key to act as (git mode). */
  readonly as?: string
  /** Serve streamable HTTP on HOST:PORT instead of stdio. */
  readonly listen?: string
  /** Where completed work's acceptance criteria are checked (default: the working directory). */
  readonly workspace?: string
  readonly allowCommands: readonly string[]
  readonly allowUrls: readonly string[]
  /** `OWNER/REPO`: propose_plan opens a pull request there. */
  readonly githubRepo?: string
  readonly githubApiUrl?: string
}

/**
 * Runs the PlanSpec MCP server (`@planspec/mcp`) for an AI agent: over stdio (the protocol on
 * stdin/stdout, audit lines on stderr) or, with `--listen`, streamable HTTP at `/mcp` behind the
 * bearer token in `PLANSPEC_MCP_TOKEN`. Against a repository (git mode) it acts as the identity
 * of its signing key (the allowed signer its `user.signingKey` is listed under; `--as` picks one
 * of several); against a server (`--server` or a context) as its token's user (`PLANSPEC_TOKEN`).
 * The identity is checked first: a key or token that proves nobody exits 1 with the reason.
 * `propose_plan` pushes a branch in git mode and, with `--github-repo`, opens a pull request (token
 * from `PLANSPEC_GITHUB_TOKEN` or `GITHUB_TOKEN`). Runs until stdin closes (stdio) or a signal.
 */
export async function runMcpCommand(options: McpCommandOptions, io: CommandIO): Promise<number> {
  const target = await resolveContext({ ...(options.server ? { server: options.server } : {}), ...(options.repo ? { repo: options.repo } : {}), ...(options.context ? { context: options.context } : {}) }, io)
  const listen = options.listen === undefined ? undefined : splitAddress(options.listen)
  const token = io.env.PLANSPEC_MCP_TOKEN
  if (listen !== undefined && (token === undefined || token.length < 16)) throw new UsageError('--listen needs a bearer token of at least 16 characters in PLANSPEC_MCP_TOKEN (clients send Authorization: Bearer <token>)')
  if (options.githubRepo !== undefined && target.mode !== 'repo') throw new UsageError('--github-repo opens pull requests in git mode only (against a server, propose_plan previews with a dry run)')
  const client: ResourceClient =
    target.mode === 'server'
      ? createHttpResourceClient({ api: clientFor({ server: target.server, ...(target.token ? { token: target.token } : {}), ...(target.ca ? { ca: target.ca } : {}) }, io) })
      : createGitResourceClient({ repo: target.repo, branch: options.branch, statusBranch: options.statusBranch, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}), env: io, ...(options.as ? { as: options.as } : {}), validationWorkers: { workerUrl: validationWorkerUrl() } })
  const identity = await client.whoami().catch((error: unknown) => error as Error & { reason?: string })
  if (identity instanceof Error) {
    io.stderr.write(`error: planspec mcp cannot act as anybody: ${identity.reason ? `${identity.reason}: ` : ''}${identity.message}\n`)
    return EXIT.findings
  }
  const workspace = resolve(io.cwd, options.workspace ?? '.')
  mkdirSync(workspace, { recursive: true })
  const deps: PlanSpecMcpDeps = {
    client,
    validator: createValidator(),
    acceptance: { workspace, policy: { allowCommands: [...options.allowCommands], allowUrls: [...options.allowUrls] } },
    ...(target.mode === 'repo' && 'propose' in client ? { proposals: proposalsOf(client as ReturnType<typeof createGitResourceClient>, options, io) } : {}),
    secrets: secretValues(io.env),
    version: VERSION,
    audit: (entry) => io.stderr.write(`${JSON.stringify({ level: entry.outcome === 'error' ? 'warn' : 'info', msg: `tool ${entry.tool} ${entry.outcome}`, ...entry })}\n`),
  }
  io.stderr.write(`planspec mcp: acting as ${identity.subject} (${identity.source}) on ${client.target}\n`)
  if (listen === undefined) return serveStdio(deps, io)
  const http = await serveMcpHttp({ host: listen[0], port: listen[1], token: token!, create: () => createPlanSpecMcpServer(deps) })
  io.stdout.write(`planspec mcp: listening on ${http.url}\n`)
  await new Promise<void>((done) => {
    if (io.signal === undefined || io.signal.aborted) return done()
    io.signal.addEventListener('abort', () => done(), { once: true })
  })
  await http.close()
  return EXIT.ok
}

/** Serves one MCP session on stdin/stdout until stdin ends or the process is signalled. */
async function serveStdio(deps: PlanSpecMcpDeps, io: CommandIO): Promise<number> {
  const mcp = createPlanSpecMcpServer(deps)
  const transport = new StdioServerTransport(io.stdin, io.stdout)
  const closed = new Promise<void>((done) => {
    transport.onclose = () => done()
    io.stdin.once('end', () => done())
    io.stdin.once('close', () => done())
    io.signal?.addEventListener('abort', () => done(), { once: true })
  })
  await mcp.server.connect(transport)
  await closed
  await mcp.close()
  await transport.close().catch(() => undefined)
  return EXIT.ok
}

/** git mode: proposals as a branch (signed as the client's identity), and a pull request with --github-repo. */
function proposalsOf(client: ReturnType<typeof createGitResourceClient>, options: McpCommandOptions, io: CommandIO): ProposalPort {
  const github = githubOf(options, io)
  return {
    base: client.branch,
    propose: (change) => client.propose(change),
    ...(github === undefined ? {} : { openPullRequest: (request: { head: string; base: string; title: string; body: string }) => openPullRequest({ ...github, ...request }), announce: (commit: string, body: string) => commentOnPullRequestOf({ ...github, commit, body }) }),
  }
}

function githubOf(options: McpCommandOptions, io: CommandIO): { octokit: Octokit; owner: string; repo: string } | undefined {
  if (options.githubRepo === undefined) {
    if (options.githubApiUrl !== undefined) throw new UsageError('--github-api-url needs --github-repo OWNER/REPO')
    return undefined
  }
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(options.githubRepo)
  if (match === null) throw new UsageError(`--github-repo must be OWNER/REPO, got ${JSON.stringify(options.githubRepo)}`)
  const baseUrl = (options.githubApiUrl ?? 'https://api.github.com').replace(/\/+$/, '')
  if (!/^https?:\/\/[^\s/]+/i.test(baseUrl)) throw new UsageError(`--github-api-url must be an http(s) URL, got ${JSON.stringify(options.githubApiUrl)}`)
  const auth = io.env.PLANSPEC_GITHUB_TOKEN || io.env.GITHUB_TOKEN
  if (!auth) throw new UsageError('--github-repo needs a token in PLANSPEC_GITHUB_TOKEN or GITHUB_TOKEN')
  const quiet = (): void => undefined
  return { octokit: new Octokit({ auth, baseUrl, userAgent: `planspec-mcp/${VERSION}`, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } }), owner: match[1]!, repo: match[2]! }
}
