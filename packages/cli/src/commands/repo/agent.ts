import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { parse } from 'yaml'
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'
import { buildAgentServer, createAgent, resolveAgentKey, type ResolvedAgentKey } from '@planspec/agent'
import { parseDuration } from '@planspec/core'
import { EXIT, UsageError, type CommandIO } from '../../io.js'
import { openRepo, type RepoFlags } from './open-repo.js'
import { splitAddress } from '../server/serve.js'
import { secretValues } from '../../secret-values.js'
import { wireGitHub, type GitHubFlags } from './wire-github.js'

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
  readonly listen?: string
  readonly teams?: string
  readonly writers: readonly string[]
  /** `--agent-key-file`: the agents' shared key (else PLANSPEC_AGENT_KEY, else one kept in the state directory). */
  readonly agentKeyFile?: string
  /** `--allow-unsigned-requests`: requests count for their commit author without a signature (single-user local repositories). */
  readonly allowUnsignedRequests?: boolean
}

/**
 * Runs the sync agent against a repository: polls every `--interval`, reconciles every kind,
 * runs leased Executions, writes status to the status branch, logs one JSON line per event
 * (pretty on a terminal), and with `--listen` serves /healthz, /readyz, /metrics and a push
 * webhook (secret from `PLANSPEC_WEBHOOK_SECRET`). `--once` runs until nothing changes and exits.
 * With `--github-repo`, runs also report progress to GitHub and take PR comment commands
 * (see `wireGitHub`).
 */
export async function runAgentCommand(options: AgentCommandOptions, io: CommandIO): Promise<number> {
  const intervalMs = durationMs(options.interval, '--interval')
  const shard = options.shard === undefined ? undefined : parseShard(options.shard)
  const logger = createLogger(io)
  const key = resolveAgentKey({ env: io.env, ...(options.agentKeyFile ? { file: resolve(io.cwd, options.agentKeyFile) } : {}) })
  logKeySource(logger, key)
  const { repo } = openRepo(options, io, {
    agentKey: key.keyring,
    ...(options.allowUnsignedRequests ? { allowUnsignedRequests: true } : {}),
    onStaleLock: (lock) => logger.warn({ lock: lock.path, ageMs: lock.ageMs, holder: lock.holder, reason: lock.reason }, `removed the stale ref lock ${lock.path} (${Math.round(lock.ageMs / 1000)}s old, ${lock.reason === 'WriterGone' ? `writer ${lock.holder} is gone` : 'older than 10 minutes'})`),
  })
  const teams = options.teams ? readTeams(resolve(io.cwd, options.teams)) : new Map<string, string[]>()
  const writers = [...options.writers]
  const github = wireGitHub(options, io, { repo, teams, writers, logger, defaultPollMs: intervalMs, trigger: () => agent.trigger() })
  const secrets = secretValues(io.env)
  const agent = createAgent({
    repo: github?.repo ?? repo,
    logger,
    policy: { allowCommands: options.allowCommands, allowUrls: options.allowUrls },
    workspaceRoot: resolve(io.cwd, options.workspace ?? join(tmpdir(), `planspec-agent-${process.getuid?.() ?? 'user'}`)),
    intervalMs,
    ...(options.lease ? { leaseMs: durationMs(options.lease, '--lease') } : {}),
    scope: { ...(options.namespace ? { namespace: options.namespace } : {}), ...(shard ? { shard } : {}) },
    teams,
    ...(writers.length || github ? { writers } : {}),
    secrets,
    trust: github?.repo ?? repo,
    desiredAt: (revision) => repo.desiredAt(revision),
    ...(options.allowUnsignedRequests ? { allowUnsignedRequests: true } : {}),
    ...(github ? { onExecutionChange: github.onExecutionChange } : {}),
  })
  const server = options.listen ? buildAgentServer({ metrics: agent.metrics, ready: () => agent.ready(), trigger: () => agent.trigger(), ...(io.env.PLANSPEC_WEBHOOK_SECRET ? { webhookSecret: io.env.PLANSPEC_WEBHOOK_SECRET } : {}) }) : undefined
  await github?.register(server)
  if (server && options.listen) {
    const [host, port] = splitAddress(options.listen)
    const address = await server.listen({ host, port })
    logger.info({ address }, `listening on ${address}`)
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

/** Says where the agents' key came from (never the key): a generated one must be shared with the other agents. */
function logKeySource(logger: Logger, key: ResolvedAgentKey): void {
  const id = key.keyring.signing.id
  if (key.source.from === 'env') logger.info({ keyId: id }, `agent key ${id} from ${key.source.variable}`)
  else if (key.source.from === 'file') logger.info({ keyId: id, file: key.source.path }, `agent key ${id} from ${key.source.path}`)
  else if (key.source.generated) logger.warn({ keyId: id, file: key.source.path }, `generated a new agent key ${id} in ${key.source.path} (mode 0600): every agent of this repository must use the same key (PLANSPEC_AGENT_KEY or --agent-key-file); status written with another key is not trusted`)
  else logger.info({ keyId: id, file: key.source.path }, `agent key ${id} from ${key.source.path}`)
}

/** JSON lines on stdout; human-readable on a terminal (pino-pretty), as kubectl users expect. */
function createLogger(io: CommandIO): Logger {
  const level = io.env.PLANSPEC_LOG_LEVEL ?? 'info'
  if (io.stdout.isTTY) return pino({ level }, pretty({ destination: io.stdout as unknown as Writable, colorize: !io.env.NO_COLOR, sync: true, ignore: 'pid,hostname' }) as unknown as Writable)
  return pino({ level, base: undefined }, io.stdout as Writable)
}

function durationMs(text: string, flag: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok || parsed.ms <= 0) throw new UsageError(`${flag} must be a duration such as 30s or 1m, got ${JSON.stringify(text)}`)
  return parsed.ms
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
