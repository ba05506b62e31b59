import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import type { Logger } from 'pino'
import { buildAgentServer, createAgent, createResourceView, resolveAgentKey, type ExecutionChange, type ResolvedAgentKey } from '@planspec/agent'
import { createRedactor, type ExecutionStatus } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { validationWorkerUrl } from '../../validation-worker-url.js'
import { createLogger } from '../../logger.js'
import { openRepo, type RepoFlags } from '@planspec/client'
import { observeAgentRepo } from './observe-agent-repo.js'
import { splitAddress } from '../server/serve.js'
import { secretValues } from '../../secret-values.js'
import { wireGitHub, type GitHubFlags } from './wire-github.js'
import { durationFlag } from '../../duration-flag.js'
import { maxLogBytesOf } from '../../size-flag.js'

/** Options of `planspec agent`. */
export interface AgentCommandOptions extends RepoFlags, GitHubFlags {
  readonly interval: string
  readonly lease?: string
  readonly once: boolean
  readonly namespace?: string
  readonly shard?: string
  readonly workspace?: string
  readonly allowCommands: readonly string[]
  readonly allowUrls: readonly string[]
  /** Process variables a Binding's `config.env` may hand to commands (patterns). */
  readonly allowEnv?: readonly string[]
  /** What is kept of each stream of each attempt (`--max-log-bytes`). */
  readonly maxLogBytes?: string
  readonly listen?: string
  readonly teams?: string
  readonly writers: readonly string[]
  /** `--agent-key-file`: the agents' shared key (else PLANSPEC_AGENT_KEY, else one kept in the state directory). */
  readonly agentKeyFile?: string
  /** `--allow-unsigned-requests`: requests count for their commit author without a signature (single-user local repositories). */
  readonly allowUnsignedRequests?: boolean
  /** Bearer tokens of the read-only view on `--listen` (the same file format as `planspec serve --tokens`). */
  readonly tokens?: string
}

/**
 * Runs the sync agent against a repository: polls every `--interval`, reconciles every kind,
 * runs leased Executions, writes status to the status branch, logs one JSON line per event
 * (pretty on a terminal), and with `--listen` serves /healthz, /readyz, /metrics and a push
 * webhook (secret from `PLANSPEC_WEBHOOK_SECRET`), and the read-only view: the web dashboard at `/`
 * and `GET` of the resources the agent holds, for holders of a `--tokens` token. `--once` runs
 * until nothing changes and exits.
 * With `--github-repo`, runs also report progress to GitHub and take PR comment commands
 * (see `wireGitHub`).
 */
export async function runAgentCommand(options: AgentCommandOptions, io: CommandIO): Promise<number> {
  const intervalMs = durationFlag(options.interval, '--interval')
  const shard = options.shard === undefined ? undefined : parseShard(options.shard)
  // One redactor for every sink of the agent: logs, status commits, GitHub comments (DECISIONS §9).
  const redactor = createRedactor(secretValues(io.env))
  const logger = createLogger(io, redactor)
  const key = resolveAgentKey({ env: io.env, ...(options.agentKeyFile ? { file: resolve(io.cwd, options.agentKeyFile) } : {}) })
  redactor.add([key.keyring.signing, ...key.keyring.accepted].map((k) => Buffer.from(k.secret).toString('base64')))
  logKeySource(logger, key)
  const { repo } = openRepo(options, io, {
    agentKey: key.keyring,
    ...(options.allowUnsignedRequests ? { allowUnsignedRequests: true } : {}),
    // A cold read of a large tree validates its manifests on every core.
    validationWorkers: { workerUrl: validationWorkerUrl() },
    onStaleLock: (lock) => logger.warn({ lock: lock.path, ageMs: lock.ageMs, holder: lock.holder, reason: lock.reason }, `removed the stale ref lock ${lock.path} (${Math.round(lock.ageMs / 1000)}s old, ${lock.reason === 'WriterGone' ? `writer ${lock.holder} is gone` : 'older than 10 minutes'})`),
  })
  const teams = options.teams ? readTeams(resolve(io.cwd, options.teams)) : new Map<string, string[]>()
  const writers = [...options.writers]
  // The read-only view shows what the agent's rounds read, and its own runs' latest statuses.
  const observed = options.listen ? observeAgentRepo(repo) : undefined
  const runs = new Map<string, ExecutionStatus>()
  const tokens = options.listen && options.tokens ? await loadViewTokens(resolve(io.cwd, options.tokens)) : undefined
  const github = wireGitHub(options, io, { repo: observed?.repo ?? repo, teams, writers, logger, redactor, defaultPollMs: intervalMs, trigger: () => agent.trigger() })
  const onExecutionChange = (change: ExecutionChange): void => {
    // A finished run's last status is on the status branch within a round; until then it is kept here.
    if (['Succeeded', 'Failed', 'Cancelled'].includes(change.status.phase ?? '')) runs.delete(change.subject)
    else runs.set(change.subject, change.status)
    github?.onExecutionChange(change)
  }
  const workspaceRoot = resolve(io.cwd, options.workspace ?? join(tmpdir(), `planspec-agent-${process.getuid?.() ?? 'user'}`))
  const policy = { allowCommands: options.allowCommands, allowUrls: options.allowUrls, allowEnv: options.allowEnv ?? [], ...maxLogBytesOf(options.maxLogBytes) }
  const agent = createAgent({
    repo: github?.repo ?? observed?.repo ?? repo,
    logger,
    policy,
    // Commands see the explicit environment built from this process's (injected) environment.
    // Attempts are journaled beside the workspaces: a restarted agent re-attaches to them.
    env: io.env,
    attemptsDir: join(workspaceRoot, '.attempts'),
    workspaceRoot,
    intervalMs,
    ...(options.lease ? { leaseMs: durationFlag(options.lease, '--lease') } : {}),
    scope: { ...(options.namespace ? { namespace: options.namespace } : {}), ...(shard ? { shard } : {}) },
    teams,
    ...(writers.length || github ? { writers } : {}),
    redactor,
    trust: github?.repo ?? repo,
    desiredAt: (revision) => repo.desiredAt(revision),
    ...(options.allowUnsignedRequests ? { allowUnsignedRequests: true } : {}),
    ...(github || observed ? { onExecutionChange } : {}),
  })
  const view = observed === undefined ? undefined : { view: createResourceView(() => ({ ...observed.latest(), runs })), ...(tokens === undefined ? {} : { authenticate: (token: string) => tokens.authenticate(token) }) }
  const server = options.listen ? buildAgentServer({ metrics: agent.metrics, ready: () => agent.ready(), trigger: () => agent.trigger(), ...(io.env.PLANSPEC_WEBHOOK_SECRET ? { webhookSecret: io.env.PLANSPEC_WEBHOOK_SECRET } : {}), ...(view === undefined ? {} : { view }) }) : undefined
  await github?.register(server)
  if (server && options.listen) {
    const [host, port] = splitAddress(options.listen)
    const address = await server.listen({ host, port })
    logger.info({ address }, `listening on ${address}`)
    if (tokens === undefined) logger.warn('no --tokens file: the read-only dashboard at / answers 401 to every data request')
    logger.info({ dashboard: `${address}/` }, `dashboard (read-only) at ${address}/`)
  }
  github?.start()
  io.signal?.addEventListener('abort', () => agent.stop(), { once: true })
  try {
    if (options.once) {
      const result = await agent.runOnce()
      logger.info({ revision: result.revision, leased: result.leased }, 'agent finished (--once)')
      if (result.leasedElsewhere.length > 0) {
        io.stderr.write(`error: ${result.leasedElsewhere.length} execution(s) are leased by another agent and were not run: ${result.leasedElsewhere.slice(0, 10).join(', ')}${result.leasedElsewhere.length > 10 ? ', ...' : ''}\n`)
        return EXIT.findings
      }
      return result.errors > 0 ? EXIT.findings : EXIT.ok
    }
    await agent.run()
    return EXIT.ok
  } catch (error) {
    io.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`)
    return EXIT.findings
  } finally {
    await server?.close()
    await github?.close()
  }
}

/** Reads the tokens of the read-only view (the server's tokens file format; loaded only when asked for). */
async function loadViewTokens(path: string): Promise<{ authenticate(token: string): { user: string; groups: readonly string[] } | undefined }> {
  const { loadTokens } = await import('@planspec/server')
  try {
    return await loadTokens(path)
  } catch (error) {
    throw new UsageError(`--tokens ${path}: ${(error as Error).message}`)
  }
}

/** Says where the agents' key came from (never the key): a generated one must be shared with the other agents. */
function logKeySource(logger: Logger, key: ResolvedAgentKey): void {
  const id = key.keyring.signing.id
  if (key.source.from === 'env') logger.info({ keyId: id }, `agent key ${id} from ${key.source.variable}`)
  else if (key.source.from === 'file') logger.info({ keyId: id, file: key.source.path }, `agent key ${id} from ${key.source.path}`)
  else if (key.source.generated) logger.warn({ keyId: id, file: key.source.path }, `generated a new agent key ${id} in ${key.source.path} (mode 0600): every agent of this repository must use the same key (PLANSPEC_AGENT_KEY or --agent-key-file); status written with another key is not trusted`)
  else logger.info({ keyId: id, file: key.source.path }, `agent key ${id} from ${key.source.path}`)
}

function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || index >= count) throw new UsageError(`--shard must be I/N with 0 <= I < N, got ${JSON.stringify(text)}`)
  return { index, count }
}

/** Reads `--teams FILE`: a YAML mapping of `team:ORG/SLUG` to member subjects (`email:`, `user:`). */
function readTeams(path: string): Map<string, string[]> {
  let value: unknown
  try {
    value = parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new UsageError(`--teams ${path}: ${(error as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`--teams ${path}: expected a mapping of team:ORG/SLUG to member lists`)
  const teams = new Map<string, string[]>()
  for (const [team, members] of Object.entries(value)) {
    if (!team.startsWith('team:') || !Array.isArray(members) || members.some((m) => typeof m !== 'string')) throw new UsageError(`--teams ${path}: "${team}" must be team:ORG/SLUG with a list of subjects`)
    teams.set(team, members as string[])
  }
  return teams
}
