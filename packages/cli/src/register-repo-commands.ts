import { Option, type Command } from 'commander'
import { RBAC_KINDS_HELP, RECONCILED_KINDS_HELP } from './kind-help.js'
import type { GitHubFlags } from './commands/repo/wire-github.js'
import { UsageError, type CommandIO } from './io.js'
import { type ResolvedContext } from './commands/server/resolve-context.js'
import { repoFlags, targetFlags, targetOf } from './target-flags.js'
import type { GetOptions } from './commands/get.js'
import type { ClientRequestTarget, ResourceClient } from '@planspec/client'
import type { RequestVerb } from './commands/request.js'
import { GET_FORMATS, WATCH_FORMATS } from './command-formats.js'
import { durationFlag } from './duration-flag.js'

// Each command's module is loaded when the command runs, so that a run loads only what it needs
// (a `planspec validate` never loads the agent, the server or the engine).
const load = {
  agent: () => import('./commands/repo/agent.js'),
  get: () => import('./commands/get.js'),
  watch: () => import('./commands/watch.js'),
  client: () => import('./commands/open-resource-client.js'),
  request: () => import('./commands/request.js'),
  workList: () => import('./commands/work-list.js'),
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

const SIGNING_HELP = `
In git mode a request is a commit on the status branch signed like \`git commit -S\` with your SSH key
(git config gpg.format ssh, user.signingKey); it counts only when .planspec/allowed-signers on the tracked
branch lists that key (you act as the principal it is listed for; your git user.email chooses when it is
listed under several). Checked here first (signing key, eligibility, separation of duties): a refusal
exits 1 and records nothing. Otherwise prints "recorded; the agent decides". With --server (or a server
context) the API's action route records it as your token's identity, and a review or claim is decided at
once. --wait waits for the verdict in both modes (the run applying a cancel, retry or completion).`

function flags(o: Record<string, unknown>, io: CommandIO): { repo: string; branch: string; statusBranch: string; cacheDir?: string } {
  return {
    repo: (o.repo as string | undefined) ?? io.cwd,
    branch: o.branch as string,
    statusBranch: o.statusBranch as string,
    ...(o.cacheDir ? { cacheDir: o.cacheDir as string } : {}),
  }
}

/**
 * Registers the commands that work against a manifest repository (git mode): `agent`, `get`,
 * `watch`, `describe`, `approve`, `reject`, `cancel`, `retry` and `work list|claim|complete`.
 */
export function registerRepoCommands(program: Command, io: CommandIO, setExit: (code: number) => void): void {
  repoFlags(program.command('agent'))
    .description('Run the sync agent: poll the repository, run its Executions, write status back to the status branch.')
    .option('--interval <duration>', 'poll interval', '30s')
    .option('--once', 'run until nothing changes, then exit', false)
    .option('--lease <duration>', 'how long an Execution lease lasts without renewal (default: 3 intervals, at least 30s)')
    .option('-n, --namespace <ns>', 'only run Executions of this namespace')
    .option('--shard <i/n>', 'only run Executions whose namespace hashes to shard i of n')
    .option('--workspace <dir>', 'root of the Executions\' working directories')
    .option('--allow-command <pattern>', 'allow running this executable (repeatable)', collect, [])
    .option('--allow-url <pattern>', 'allow calling URLs that match (repeatable)', collect, [])
    .option('--allow-env <pattern>', "let Bindings hand this variable of the agent's environment to commands (config.env fromEnv; glob; repeatable)", collect, [])
    .option('--max-log-bytes <size>', 'what is kept of each stream of each attempt for planspec logs (default 256KiB)')
    .option('--listen <addr>', 'serve /healthz, /readyz, /metrics, /webhook and the read-only dashboard at / on HOST:PORT')
    .option('--tokens <file>', 'bearer tokens of the read-only dashboard ("token,user[,groups]" lines or YAML, as planspec serve)')
    .option('--teams <file>', 'YAML mapping of team:ORG/SLUG to member subjects, for Gate reviewers')
    .option('--writer <subject>', 'eligible when a Gate lists no reviewers, besides the allowed signers (repeatable)', collect, [])
    .option('--agent-key-file <file>', 'the key all agents of this repository share (mode 0600; default PLANSPEC_AGENT_KEY, else one kept in $XDG_STATE_HOME/planspec)')
    .option('--allow-unsigned-requests', 'count requests that are not signed by an allowed signer for their commit author (single-user local repositories only)', false)
    .option('--github-repo <owner/repo>', 'report progress to this GitHub repository\'s pull requests and take /planspec comment commands')
    .option('--github-api-url <url>', 'GitHub REST API root (default: https://api.github.com)')
    .option('--github-poll <duration>', 'poll for comment commands this often (default: the --interval, unless a GitHub webhook is served)')
    .option('--github-progress-interval <duration>', 'at most one progress comment update per Execution this often (default: 10s)')
    .addHelpText('after', `
Credentials for a remote come from PLANSPEC_GIT_TOKEN (or PLANSPEC_GIT_USERNAME and PLANSPEC_GIT_PASSWORD).
Status on the status branch is trusted only with the agents' proof, made with the key in PLANSPEC_AGENT_KEY
(or --agent-key-file; base64 of 32 random bytes: openssl rand -base64 32), shared by every agent of the
repository. Requests count only when signed (git commit -S, gpg.format=ssh) by a key that the tracked
branch's .planspec/allowed-signers lists for the commit's author.
With --github-repo, the GitHub token comes from PLANSPEC_GITHUB_TOKEN or GITHUB_TOKEN, and with --listen
comment commands are received on POST /github/webhook, signed with PLANSPEC_GITHUB_WEBHOOK_SECRET.
Logs are JSON lines on stdout (pretty on a terminal); PLANSPEC_LOG_LEVEL sets the level.

Examples:
  planspec agent --repo https://git.example.com/team/plans.git --interval 30s --listen :9090
  planspec agent --repo . --once --allow-command "$(command -v node)"
  GITHUB_TOKEN=... planspec agent --repo https://github.com/acme/plans.git --github-repo acme/plans --github-poll 1m`)
    .action(async (o: Record<string, unknown>) => {
      setExit(await (await load.agent()).runAgentCommand({ ...flags(o, io), interval: o.interval as string, once: o.once as boolean, ...(o.lease ? { lease: o.lease as string } : {}), ...(o.namespace ? { namespace: o.namespace as string } : {}), ...(o.shard ? { shard: o.shard as string } : {}), ...(o.workspace ? { workspace: o.workspace as string } : {}), allowCommands: o.allowCommand as string[], allowUrls: o.allowUrl as string[], allowEnv: o.allowEnv as string[], ...(o.maxLogBytes ? { maxLogBytes: o.maxLogBytes as string } : {}), ...(o.listen ? { listen: o.listen as string } : {}), ...(o.teams ? { teams: o.teams as string } : {}), writers: o.writer as string[], ...(o.agentKeyFile ? { agentKeyFile: o.agentKeyFile as string } : {}), ...(o.allowUnsignedRequests ? { allowUnsignedRequests: true } : {}), ...(o.tokens ? { tokens: o.tokens as string } : {}), ...githubFlags(o) }, io))
    })

  const listing = (name: string, description: string, kinds = RECONCILED_KINDS_HELP): Command =>
    targetFlags(repoFlags(program.command(name)))
      .description(description)
      .argument('<kind>', kinds)
      .argument('[name]', 'one resource')
      .option('-n, --namespace <ns>', 'namespace (default: every namespace a name matches, else "default")')
      .option('-A, --all-namespaces', 'list across namespaces', false)
  listing('get', 'List resources with their status from the status branch.')
    .addOption(new Option('-o, --output <format>', 'output format').choices(GET_FORMATS).default('table'))
    .option('-l, --selector <query>', 'label selector, e.g. team=payments,tier!=web')
    .option('-w, --watch', 'after the current objects, print a line per change until Ctrl-C (as planspec watch: TYPE kind/name phase; -o json: NDJSON events)', false)
    .option('--interval <duration>', 'git mode: how often -w fetches the status branch', '2s')
    .action(async (kind: string, name: string | undefined, o: Record<string, unknown>) => {
      const target = await targetOf(o, io)
      const options = { ...getOptions(kind, name, o, target), output: o.output as GetOptions['output'], ...(o.selector ? { labelSelector: o.selector as string } : {}) }
      if (!o.watch) return setExit(await (await load.get()).runGet(await resourceClient(target, o, io), options, io))
      const watch = await load.watch()
      setExit(await watch.runWatch(await resourceClient(target, o, io, durationFlag(String(o.interval), '--interval')), { ...options, output: watch.watchOutputOf(options.output) }, io))
    })
  listing('watch', 'Stream changes of a kind (or of one resource), one line per event: from the status branch, or a server\'s watch.', `${RECONCILED_KINDS_HELP} (a server also: ${RBAC_KINDS_HELP})`)
    .addOption(new Option('-o, --output <format>', 'output format: TYPE kind/name phase lines, NDJSON events, YAML documents or kind/name').choices(WATCH_FORMATS).default('text'))
    .option('-l, --selector <query>', 'label selector, e.g. team=payments,tier!=web')
    .option('--interval <duration>', 'git mode: how often the status branch is fetched', '2s')
    .addHelpText('after', `
Prints "TYPE kind/name phase" per event (ADDED, MODIFIED, DELETED), starting with the current
objects (kind/namespace/name across namespaces). Runs until Ctrl-C (exit 130). The same command
as planspec get KIND -w, in both modes: against a repository (--repo, a repository context, or
the current directory's repository) it follows the status branch, fetched every --interval; against
a server (--server or a server context) its watch API, resumed from the last version seen when the
connection drops. Without -n and without a namespace in the context, every namespace is watched
(as with -A). An unknown kind, a bad selector or a name that does not exist fails before watching.

Examples:
  planspec watch executions
  planspec watch executions -n team-platform --repo https://git.example.com/plans.git --interval 5s
  planspec watch execution changelog-2025-w10 -o json
  planspec watch goals -A -l team=payments --server https://planspec.example.com`)
    .action(async (kind: string, name: string | undefined, o: Record<string, unknown>) => {
      const target = await targetOf(o, io)
      const options = { ...getOptions(kind, name, o, target), output: o.output as (typeof WATCH_FORMATS)[number], ...(o.selector ? { labelSelector: o.selector as string } : {}) }
      setExit(await (await load.watch()).runWatch(await resourceClient(target, o, io, durationFlag(String(o.interval), '--interval')), options, io))
    })
  listing('describe', 'Show one resource (or all of a kind) in detail: status, conditions, nodes, reviews, spec.')
    .action(async (kind: string, name: string | undefined, o: Record<string, unknown>) => {
      const target = await targetOf(o, io)
      setExit(await (await load.get()).runDescribe(await resourceClient(target, o, io), getOptions(kind, name, o, target), io))
    })

  const request = (command: Command): Command =>
    targetFlags(repoFlags(command))
      .option('-n, --namespace <ns>', 'namespace, when the name is not unique')
      .option('--dry-run', 'check and print, record nothing', false)
      .option('--wait [duration]', 'wait for the verdict (default 2m); exit 0 only when the action counted')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
      .addHelpText('after', SIGNING_HELP)
  const decide = (name: 'approve' | 'reject' | 'cancel' | 'retry', what: string, kind: 'Gate' | 'Execution'): Command =>
    request(program.command(name)).description(`${what} (git mode: a signed request file on the status branch, the agent applies it; server mode: the API's ${name} route).`).argument(`<${kind.toLowerCase()}>`, `name of the ${kind}`)
  for (const [verb, what] of [['approve', 'Approve a Gate'], ['reject', 'Reject a Gate']] as const) {
    decide(verb, what, 'Gate')
      .option('--comment <text>', 'why')
      .option('--execution <name>', 'decide for this waiting Execution only (default: the one waiting, or every one waiting)')
      .action(async (gate: string, o: Record<string, unknown>) => setExit(await dispatchRequest(verb, { kind: 'Gate', name: gate, ...(o.execution ? { execution: o.execution as string } : {}) }, o, io)))
  }
  decide('cancel', 'Cancel an Execution: running attempts are cancelled through their providers', 'Execution').action(async (execution: string, o: Record<string, unknown>) => setExit(await dispatchRequest('cancel', { kind: 'Execution', name: execution }, o, io)))
  decide('retry', 'Re-open a Failed Execution from its failed nodes, keeping succeeded work', 'Execution')
    .option('--node <id>', 're-open only this failed node')
    .action(async (execution: string, o: Record<string, unknown>) => setExit(await dispatchRequest('retry', { kind: 'Execution', name: execution, ...(o.node ? { node: o.node as string } : {}) }, o, io)))

  const work = program.command('work').description('Claimable work (human://, agent://): list, claim and complete nodes waiting for a worker.')
  targetFlags(repoFlags(work.command('list')))
    .description('List nodes waiting for a worker.')
    .option('-n, --namespace <ns>', 'only this namespace')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: Record<string, unknown>) => {
      const target = await targetOf(o, io)
      const namespace = (o.namespace as string | undefined) ?? target.namespace
      setExit(await (await load.workList()).runWorkList(await resourceClient(target, o, io), { ...(namespace ? { namespace } : {}), output: o.output as 'table' | 'json' }, io))
    })
  for (const verb of ['claim', 'complete'] as const) {
    const command = request(work.command(verb))
      .description(verb === 'claim' ? 'Claim a waiting node (tells others you are on it).' : 'Complete a claimed node with its outputs: key=value ...')
      .argument('<execution>', 'the Execution')
      .argument('<node>', 'the node')
    if (verb === 'complete') command.argument('[outputs...]', 'outputs as key=value (JSON values keep their type)', [])
    command.action(async (execution: string, node: string, ...rest: unknown[]) => {
      const outputs = verb === 'complete' ? (await load.request()).parseOutputs(rest[0] as string[]) : undefined
      const o = (verb === 'complete' ? rest[1] : rest[0]) as Record<string, unknown>
      setExit(await dispatchRequest(verb, { kind: 'Execution', name: execution, node, ...(outputs ? { outputs } : {}) }, o, io))
    })
  }
}

/** The `--github-*` flags of `planspec agent`, as given. */
function githubFlags(o: Record<string, unknown>): GitHubFlags {
  return {
    ...(o.githubRepo ? { githubRepo: o.githubRepo as string } : {}),
    ...(o.githubApiUrl ? { githubApiUrl: o.githubApiUrl as string } : {}),
    ...(o.githubPoll ? { githubPoll: o.githubPoll as string } : {}),
    ...(o.githubProgressInterval ? { githubProgressInterval: o.githubProgressInterval as string } : {}),
  }
}

function getOptions(kind: string, name: string | undefined, o: Record<string, unknown>, target: ResolvedContext): Omit<GetOptions, 'output'> {
  if (o.allNamespaces && o.namespace) throw new UsageError('--namespace and --all-namespaces exclude each other')
  const namespace = (o.namespace as string | undefined) ?? target.namespace
  return { kind, ...(name ? { name } : {}), ...(namespace ? { namespace } : {}), allNamespaces: Boolean(o.allNamespaces) || (name === undefined && namespace === undefined) }
}

/** The client port for where a command goes: the repository (signed request files) or the server. */
async function resourceClient(target: ResolvedContext, o: Record<string, unknown>, io: CommandIO, pollMs?: number): Promise<ResourceClient> {
  const f = flags(o, io)
  return (await load.client()).openResourceClient(target, io, { ...(f.branch ? { branch: f.branch } : {}), ...(f.statusBranch ? { statusBranch: f.statusBranch } : {}), ...(f.cacheDir ? { cacheDir: f.cacheDir } : {}), ...(pollMs === undefined ? {} : { pollMs }) })
}

/** Records an action through the client port of wherever the command goes: a signed request file, or the API's action route. */
async function dispatchRequest(action: RequestVerb, target: ClientRequestTarget, o: Record<string, unknown>, io: CommandIO): Promise<number> {
  const where = await targetOf(o, io)
  const namespace = (o.namespace as string | undefined) ?? where.namespace
  const options = { ...(o.comment ? { comment: o.comment as string } : {}), dryRun: Boolean(o.dryRun), ...(o.wait === undefined ? {} : { wait: o.wait === true ? '2m' : String(o.wait) }), output: o.output as 'text' | 'json' }
  return (await load.request()).runRequest(await resourceClient(where, o, io), action, { ...target, ...(namespace ? { namespace } : {}) }, options, io)
}
