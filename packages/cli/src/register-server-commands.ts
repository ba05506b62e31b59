import { Option, type Command } from 'commander'
import { RBAC_KINDS_HELP, RECONCILED_KINDS_HELP } from './kind-help.js'
import { resolveContext } from './commands/server/resolve-context.js'
import { EXIT, UsageError, type CommandIO } from './io.js'
import { APPLY_FORMATS } from './command-formats.js'

// Each command's module is loaded when the command runs, so that a run loads only what it needs
// (a `planspec validate` never loads the agent, the server or the engine).
const load = {
  apply: () => import('./commands/server/apply.js'),
  contexts: () => import('./commands/server/contexts.js'),
  delete: () => import('./commands/server/delete.js'),
  diff: () => import('./commands/server/diff.js'),
  edit: () => import('./commands/server/edit.js'),
  manifests: () => import('./commands/server/load-manifests.js'),
  serve: () => import('./commands/server/serve.js'),
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]
const positiveInteger = (value: string): number => {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`expected a positive whole number of milliseconds, got ${JSON.stringify(value)}`)
  return n
}

/** The flags that choose the server. */
function serverFlags(command: Command): Command {
  return command
    .option('--server <url>', 'the PlanSpec API server (default: the current context of .planspec.yaml)')
    .option('--context <name>', 'use this context of .planspec.yaml instead of the current one')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s, else the object\'s or "default")')
}

/** The server a command talks to: flag > context; a repository context is a usage error. */
async function target(verb: string, o: Record<string, unknown>, io: CommandIO): Promise<{ server: string; token?: string; ca?: string; namespace?: string }> {
  const context = await resolveContext({ ...(o.server ? { server: o.server as string } : {}), ...(o.context ? { context: o.context as string } : {}) }, io)
  if (context.mode !== 'server') throw new UsageError(`${verb} talks to a server: pass --server URL, or select a server context (planspec config use-context NAME)`)
  const namespace = (o.namespace as string | undefined) ?? context.namespace
  return { server: context.server, ...(context.token === undefined ? {} : { token: context.token }), ...(context.ca === undefined ? {} : { ca: context.ca }), ...(namespace === undefined ? {} : { namespace }) }
}

const TOKEN_HELP = `
The server and namespace come from --server/--namespace, else from the current context of the
nearest .planspec.yaml (contexts: { NAME: { server: URL, namespace: NS, tokenEnv: VAR } }). The
bearer token is read from the variable the context names in tokenEnv, else PLANSPEC_TOKEN; it is
never taken from a flag and never printed.`

/**
 * Registers the commands that work against a PlanSpec API server: `serve`, `apply`, `delete`,
 * `diff`, `edit`, and `config get-contexts|current-context|use-context`. The verbs shared
 * with git mode (`get`, `watch`, `describe`, `approve`, ...) are exported from `commands/server/` and
 * dispatched by the repository commands when the target is a server.
 */
export function registerServerCommands(program: Command, io: CommandIO, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description('Run the PlanSpec API server (REST, watch, SQLite or PostgreSQL): reconcile statuses and run Executions.')
    .option('--db <file|url>', 'SQLite database file, created when missing (":memory:" for a throwaway server; default planspec.db, or PLANSPEC_DB_URL), or postgres://USER@HOST:PORT/DB shared by several replicas (no password in it)')
    .option('--db-password-file <file>', 'PostgreSQL password, read from this file (else PLANSPEC_DB_URL\'s, PGPASSWORD, or ~/.pgpass)')
    .option('--db-pool-size <n>', 'PostgreSQL: most pooled connections per replica (default 10)')
    .option('--db-statement-timeout <duration>', 'PostgreSQL: cancel statements running longer (default 30s)')
    .option('--lease <duration>', 'how long an Execution\'s lease lasts unrenewed; a dead replica\'s runs are taken over after it (default 15s)')
    .option('--listen <addr>', 'HOST:PORT to listen on (port 0 picks a free port)', '127.0.0.1:8080')
    .option('--tokens <file>', 'bearer tokens: "token,user[,groups]" lines or YAML')
    .option('--insecure-allow-all-authenticated', 'turn RBAC off: every token holder may do everything (logged as a warning at every start)', false)
    .addOption(new Option('--rbac', 'RBAC is always on unless --insecure-allow-all-authenticated (kept for old scripts)').hideHelp())
    .option('--allow-command <pattern>', 'allow runs to execute this command (absolute path or glob; repeatable)', collect, [])
    .option('--allow-url <pattern>', 'allow runs to call URLs that match (repeatable)', collect, [])
    .option('--allow-env <pattern>', "let Bindings hand this variable of the server's environment to commands (config.env fromEnv; glob; repeatable)", collect, [])
    .option('--max-log-bytes <size>', 'what is kept of each stream of each attempt for planspec logs (default 256KiB)')
    .option('--workspace <dir>', "root of the Executions' working directories")
    .option('--no-executions', 'do not run Executions (a separate runner writes their status)')
    .option('--no-dashboard', 'do not serve the web dashboard at /')
    .option('--access-log [file]', 'log every request, one JSON line each, written asynchronously to FILE (default: stdout)')
    .option('--slow-request-ms <ms>', 'log each request that takes at least this long (watch streams excluded)', positiveInteger, 1000)
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .option('--insecure-http', 'serve plain HTTP instead of TLS (loopback addresses only; logged as a warning)', false)
    .option('--write-kubeconfig <file>', 'also write a kubeconfig for kubectl (cluster, admin token file, CA) to this file')
    .option('--context-name <name>', 'name of the context written to your PlanSpec config', 'local')
    .addHelpText('after', `
Ready on first start: with no flags, it listens on 127.0.0.1:8080 over TLS with a self-signed
certificate it creates beside the database (planspec.tls.crt, .key), mints an admin token
(system:masters; only its SHA-256 digest is kept, in planspec.admin-token.sha256), and writes a
context (server URL, CA file, token file; mode 0600) to your PlanSpec config ($PLANSPEC_CONFIG,
default ~/.planspec/config) and makes it current: planspec get goals then works with no flag. It
prints where it listens and, the one time it is minted, the admin token (on stderr, not in the log).
With --tokens FILE the tokens are yours and no context is written.

Logs are JSON lines on stdout (pretty on a terminal); PLANSPEC_LOG_LEVEL sets the level. Requests
are not logged one by one: slow ones are (--slow-request-ms), unexpected errors are, and 4xx/5xx
responses are counted in one summary line a minute; --access-log adds the full access log. The first
line after start says "listening on URL". The web dashboard is at that URL (sign in with the admin
token or a token of --tokens). Stops on SIGINT (exit 130) or SIGTERM (exit 0).

Scale-out: several replicas behind a load balancer share one PostgreSQL database (--db
postgres://...); each Execution is run by one replica at a time, under a lease renewed every third
of --lease, and taken over by another replica when a dead one's lease expires. The password comes
from PGPASSWORD, PLANSPEC_DB_URL or --db-password-file, never from a flag value. See
docs/scale-out.md.

RBAC is on: tokens whose groups include system:masters may do everything (bootstrap Roles,
ClusterRoles and their bindings with planspec apply); nobody may grant more than they hold. Every
identity is in the group system:authenticated. Commands get PATH, LANG, HOME (their workspace) and
what a Binding's config.env names under --allow-env; secret-looking variables are masked in logs,
the database and API responses.

Examples:
  planspec serve                                   # first start: TLS, admin token, context "local"
  planspec serve --write-kubeconfig ~/.kube/planspec && KUBECONFIG=~/.kube/planspec kubectl get --raw /version
  planspec serve --db planspec.db --tokens tokens.csv --listen 0.0.0.0:8080
  planspec serve --db :memory: --tokens tokens.csv --listen :0 --insecure-http
  planspec serve --db :memory: --tokens tokens.csv --listen :0 --allow-command "$(command -v node)"
  PGPASSWORD=... planspec serve --db postgres://planspec@db.internal:5432/planspec --tokens tokens.csv --listen 0.0.0.0:8080
  planspec serve --db planspec.db --tokens tokens.csv --tls-cert server.crt --tls-key server.key`)
    .action(async (o: Record<string, unknown>) => {
      const database = { ...(o.db ? { db: o.db as string } : {}), ...(o.dbPasswordFile ? { dbPasswordFile: o.dbPasswordFile as string } : {}), ...(o.dbPoolSize ? { dbPoolSize: o.dbPoolSize as string } : {}), ...(o.dbStatementTimeout ? { dbStatementTimeout: o.dbStatementTimeout as string } : {}), ...(o.lease ? { lease: o.lease as string } : {}) }
      setExit(await (await load.serve()).runServeCommand({ ...database, listen: o.listen as string, ...(o.tokens ? { tokens: o.tokens as string } : {}), insecureAllowAllAuthenticated: Boolean(o.insecureAllowAllAuthenticated), allowCommands: o.allowCommand as string[], allowUrls: o.allowUrl as string[], allowEnv: o.allowEnv as string[], ...(o.maxLogBytes ? { maxLogBytes: o.maxLogBytes as string } : {}), ...(o.workspace ? { workspace: o.workspace as string } : {}), executions: o.executions !== false, dashboard: o.dashboard !== false, ...(o.tlsCert ? { tlsCert: o.tlsCert as string } : {}), ...(o.tlsKey ? { tlsKey: o.tlsKey as string } : {}), ...(o.accessLog === undefined ? {} : { accessLog: o.accessLog === true ? '-' : (o.accessLog as string) }), slowRequestMs: o.slowRequestMs as number, insecureHttp: Boolean(o.insecureHttp), ...(o.writeKubeconfig ? { writeKubeconfig: o.writeKubeconfig as string } : {}), contextName: o.contextName as string }, io))
    })

  serverFlags(program.command('apply'))
    .description('Create or update resources on a server from files, in one atomic batch (server-side apply).')
    .requiredOption('-f, --filename <paths...>', 'files or directories of manifests ("-" reads stdin; repeatable)')
    .option('-R, --recursive', 'walk directories recursively (they always are; accepted as kubectl spells it)', false)
    .option('--dry-run', 'let the server check and report, store nothing', false)
    .option('--force-conflicts', 'take over fields another field manager (kubectl, a controller) set, instead of failing', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(APPLY_FORMATS).default('text'))
    .addHelpText('after', `${TOKEN_HELP}

Prints "kind/name created|configured|unchanged" per resource. Exit 0 also when nothing changed.
The field manager is "planspec": fields set by another manager with a different value are a
conflict (exit 1, nothing applied) unless --force-conflicts; fields planspec applied before and a
file no longer sets are removed.

Examples:
  planspec apply -f examples/minimal --server http://127.0.0.1:8080
  planspec apply -f plan.yaml -f binding.yaml --dry-run
  cat plan.yaml | planspec apply -f - -o json`)
    .action(async (o: Record<string, unknown>) => {
      const where = await target('apply', o, io)
      setExit(await (await load.apply()).runServerApply({ ...where, paths: o.filename as string[], dryRun: Boolean(o.dryRun), forceConflicts: Boolean(o.forceConflicts), output: o.output as (typeof APPLY_FORMATS)[number] }, io))
    })

  serverFlags(program.command('delete'))
    .description('Delete resources on a server: of one kind by name, or those defined in files (-f).')
    .argument('[kind]', `${RECONCILED_KINDS_HELP}, ${RBAC_KINDS_HELP}`)
    .argument('[names...]', 'one or more names')
    .option('-f, --filename <paths...>', 'delete the resources these files define ("-" reads stdin; repeatable)')
    .option('-R, --recursive', 'walk directories given with -f recursively (they always are)', false)
    .option('--dry-run', 'let the server check and report, delete nothing', false)
    .option('--ignore-not-found', 'succeed for names that do not exist', false)
    .addHelpText('after', `${TOKEN_HELP}

Examples:
  planspec delete execution changelog-2025-w10
  planspec delete -f goal.yaml
  planspec delete plans old-plan older-plan -n team --dry-run`)
    .action(async (kind: string | undefined, names: string[], o: Record<string, unknown>) => {
      const files = (o.filename as string[] | undefined) ?? []
      if (files.length > 0 && kind !== undefined) throw new UsageError('name resources either as KIND NAME... or with -f FILE, not both')
      if (files.length === 0 && (kind === undefined || names.length === 0)) throw new UsageError('name what to delete: planspec delete KIND NAME... or planspec delete -f FILE')
      const where = await target('delete', o, io)
      const flags = { dryRun: Boolean(o.dryRun), ignoreNotFound: Boolean(o.ignoreNotFound) }
      if (files.length === 0) return setExit(await (await load.delete()).runServerDelete({ ...where, kind: kind!, names, ...flags }, io))
      const manifests = await (await load.manifests()).loadManifests(files, { ...(where.namespace === undefined ? {} : { namespace: where.namespace }) }, io)
      if (manifests === undefined) return setExit(EXIT.findings)
      const groups = new Map<string, { kind: string; namespace?: string; names: string[] }>()
      for (const m of manifests) {
        const key = `${m.kind}/${m.namespace ?? ''}`
        if (!groups.has(key)) groups.set(key, { kind: m.kind, ...(m.namespace === undefined ? {} : { namespace: m.namespace }), names: [] })
        groups.get(key)!.names.push(m.name)
      }
      let exit: number = EXIT.ok
      for (const group of groups.values()) exit = Math.max(exit, await (await load.delete()).runServerDelete({ ...where, ...group, ...flags }, io))
      setExit(exit)
    })

  serverFlags(program.command('diff'))
    .description('Show what apply would change on a server, as a unified diff of YAML (server-side dry run).')
    .requiredOption('-f, --filename <paths...>', 'files or directories of manifests ("-" reads stdin; repeatable)')
    .option('-R, --recursive', 'walk directories recursively (they always are; accepted as kubectl spells it)', false)
    .addHelpText('after', `${TOKEN_HELP}

Exit codes: 0 no changes, 1 changes, >1 error.

Examples:
  planspec diff -f examples/minimal
  planspec diff -f planspec/ && echo "in sync"`)
    .action(async (o: Record<string, unknown>) => {
      const where = await target('diff', o, io)
      setExit(await (await load.diff()).runServerDiff({ ...where, paths: o.filename as string[] }, io))
    })

  serverFlags(program.command('edit'))
    .description('Edit a resource on a server in your editor; applied with its resourceVersion (a concurrent change is refused).')
    .argument('<kind>', `${RECONCILED_KINDS_HELP}, ${RBAC_KINDS_HELP}`)
    .argument('<name>', 'the resource')
    .addHelpText('after', `${TOKEN_HELP}

The editor is PLANSPEC_EDITOR, VISUAL or EDITOR (default vi), started without a shell.

Examples:
  planspec edit plan publish-changelog
  EDITOR="code --wait" planspec edit gate changelog-approval -n default`)
    .action(async (kind: string, name: string, o: Record<string, unknown>) => {
      const where = await target('edit', o, io)
      setExit(await (await load.edit()).runServerEdit({ ...where, kind, name }, io))
    })

  const config = program.command('config').description('Show and switch the contexts of .planspec.yaml (a server or a repository).')
  config
    .command('get-contexts')
    .description('List the contexts; * marks the current one.')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'name']).default('table'))
    .action(async (o: { output: 'table' | 'name' }) => setExit(await (await load.contexts()).runGetContexts(o, io)))
  config
    .command('current-context')
    .description('Print the current context.')
    .action(async () => setExit(await (await load.contexts()).runCurrentContext(io)))
  config
    .command('use-context')
    .description('Make a context the current one (rewrites currentContext in .planspec.yaml, keeping comments).')
    .argument('<name>', 'a context defined under contexts:')
    .addHelpText('after', `
Examples:
  planspec config use-context staging
  planspec get executions          # now talks to the staging server`)
    .action(async (name: string) => setExit(await (await load.contexts()).runUseContext(name, io)))
}
