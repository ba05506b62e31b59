import { Command, CommanderError, Option } from 'commander'
import { GRAPH_FORMATS } from './commands/graph.js'
import { DEFAULTS, parseJobs, parseSize, runValidate, VALIDATE_FORMATS } from './commands/validate.js'
import { durationFlag } from './duration-flag.js'
import { EXIT, EXIT_INTERRUPTED, UsageError, type CommandIO } from './io.js'
import { VERSION } from './version.js'
import { registerRepoCommands } from './register-repo-commands.js'
import { registerServerCommands } from './register-server-commands.js'
import { REVIEW_FORMATS, SIMULATE_FORMATS } from './command-formats.js'
import { registerMcpCommand } from './register-mcp-command.js'
import { registerScriptCommands } from './register-script-commands.js'

// Each command's module is loaded when the command runs, so that a run loads only what it needs
// (a `planspec validate` never loads the agent, the server or the engine).
const load = {
  explain: () => import('./commands/explain.js'),
  fix: () => import('./commands/fix.js'),
  run: () => import('./commands/run.js'),
  simulate: () => import('./commands/simulate.js'),
  review: () => import('./commands/review.js'),
  init: () => import('./commands/init.js'),
  version: () => import('./commands/version.js'),
  graph: () => import('./commands/graph-command.js'),
}

/**
 * Runs the planspec command line with `argv` (without the node and script names) and returns
 * the exit code. Every failure maps to an exit code and one line on stderr, never a stack trace.
 *
 * @example
 * const code = await runCli(['validate', 'examples/minimal', '-o', 'json'], io)
 */
export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  let exitCode: number = EXIT.ok
  // The global flags (--request-timeout) are known once commander has parsed them.
  const settings: { requestTimeoutMs?: number } = {}
  const cliIO: CommandIO = Object.defineProperty({ ...io }, 'requestTimeoutMs', { get: () => settings.requestTimeoutMs ?? io.requestTimeoutMs, enumerable: true })
  const program = buildProgram(cliIO, (code) => (exitCode = code))
  program.hook('preAction', () => {
    const text = program.opts<{ requestTimeout?: string }>().requestTimeout
    if (text !== undefined) settings.requestTimeoutMs = durationFlag(text, '--request-timeout')
  })
  // --version before any command: the CLI's, the schema's and, in server mode, the server's.
  if (argv[0] === '--version' || argv[0] === '-v') {
    const flag = (name: string): string | undefined => {
      const at = argv.indexOf(name)
      return at > 0 ? argv[at + 1] : undefined
    }
    const server = flag('--server')
    const context = flag('--context')
    return load.version().then(({ runVersion }) => runVersion({ ...(server ? { server } : {}), ...(context ? { context } : {}) }, cliIO)).catch((error: unknown) => {
      io.stderr.write(`error: ${(error as Error).message}\n`)
      return EXIT.usage
    })
  }
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return interrupted(io) ? EXIT_INTERRUPTED : exitCode
  } catch (error) {
    // Ctrl-C: whatever the command was doing ends here, without a stack trace or a second message.
    if (interrupted(io)) return EXIT_INTERRUPTED
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n`)
      return EXIT.usage
    }
    const message = error instanceof Error ? error.message : String(error)
    io.stderr.write(`error: ${message}\n`)
    return EXIT.usage
  }
}

/** Whether the command was stopped by Ctrl-C (SIGINT; SIGTERM ends commands normally). */
function interrupted(io: CommandIO): boolean {
  return io.signal?.aborted === true && (io.signal.reason as { signal?: string } | undefined)?.signal === 'SIGINT'
}

function buildProgram(io: CommandIO, setExit: (code: number) => void): Command {
  const program = new Command('planspec')
    .description('GitOps for work plans: validate, draw, review and run PlanSpec manifests.')
    .version(VERSION, '-v, --version', 'print the versions of planspec, the schema and (against a server) the server')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .option('--request-timeout <duration>', 'how long a network request may take before it fails, naming the URL (default 30s)')
  const output = (formats: readonly string[], fallback: string): Option => new Option('-o, --output <format>', 'output format').choices(formats).default(fallback)

  program
    .command('validate')
    .description('Validate manifests: YAML, schema, graph and cross-reference checks, every finding with file:line:col and a stable code.')
    .argument('[paths...]', 'files or directories (recursively); "-" reads stdin', [])
    .option('-f, --filename <paths...>', 'files or directories to validate, as kubectl takes them ("-" reads stdin; repeatable)')
    .option('-R, --recursive', 'walk directories recursively (they always are; accepted as kubectl spells it)', false)
    .addOption(output(VALIDATE_FORMATS, 'text'))
    .option('--compat', 'accept legacy shapes of older PlanSpec files as warnings', false)
    .option('--closed', 'treat references to resources outside the given files as errors', false)
    .option('--warnings-as-errors', 'fail on warnings too', false)
    .option('--strict', 'validate every YAML file found in directories, also those that name no planspec.io apiVersion (skipped and counted otherwise)', false)
    .option('--max-file-size <size>', 'largest file read', String(DEFAULTS.maxFileBytes))
    .option('--max-depth <n>', 'deepest YAML nesting parsed', String(DEFAULTS.maxDepth))
    .option('--stdin-filename <path>', 'the file name to report for "-" (standard input), e.g. where it came from')
    .option('-j, --jobs <n>', 'threads to validate with: a number, or auto for every core (a small set always uses one)', 'auto')
    .addHelpText('after', `
Exit codes: 0 valid (warnings allowed), 1 findings, 2 usage or I/O error (a missing path, no YAML
file found, an unreadable file: with -o json, sarif or junit still a valid document whose
diagnostics PS1012, PS1013 and PS1010 say so).

Files named on the command line are always validated. In directories, without "paths" in
.planspec.yaml, YAML files that name no planspec.io apiVersion (docker-compose, Kubernetes, CI
files) are skipped and counted on stderr, as the agent and the Action skip them; --strict
validates them too (and fails on them).

Examples:
  planspec validate                          # every *.yaml under the current directory
  planspec validate -f goal.yaml -f plan.yaml
  planspec validate examples/google-sso -o json
  cat plan.yaml | planspec validate - --stdin-filename plans/plan.yaml
  planspec validate . --compat -o sarif > planspec.sarif
  planspec validate . -o github              # annotations in a GitHub Actions log`)
    .action(async (positional: string[], o: Record<string, string | boolean | string[]>) => {
      const paths = [...positional, ...((o.filename as string[] | undefined) ?? [])]
      const maxDepth = Number(o.maxDepth)
      if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new UsageError(`invalid --max-depth "${String(o.maxDepth)}"`)
      setExit(await runValidate({ paths, output: o.output as never, compat: Boolean(o.compat), closed: Boolean(o.closed), warningsAsErrors: Boolean(o.warningsAsErrors), strict: Boolean(o.strict), maxFileBytes: parseSize(String(o.maxFileSize)), maxDepth, jobs: parseJobs(String(o.jobs)), ...(typeof o.stdinFilename === 'string' ? { stdinFilename: o.stdinFilename } : {}) }, io))
    })

  program
    .command('graph')
    .description("Draw a Plan's DAG: Gate, Group and External nodes distinct, soft edges dashed, groups as clusters.")
    .argument('[name]', 'the Plan to draw (read from the current context, or from -f files); with --plan, the PATH holding it')
    .option('--plan <name>', 'name of the Plan to draw from PATH (the older form: graph PATH --plan NAME)')
    .option('-f, --filename <paths...>', 'files or directories holding the Plan ("-" reads stdin; repeatable)')
    .option('-R, --recursive', 'walk directories given with -f recursively (they always are)', false)
    .option('-n, --namespace <ns>', 'namespace of the Plan, when the name is not unique')
    .option('--server <url>', 'read the Plan from this API server')
    .option('--repo <url|path>', "read the Plan from this repository's tracked branch")
    .option('--context <name>', 'read the Plan where this context points')
    .addOption(output(GRAPH_FORMATS, 'text'))
    .addHelpText('after', `
Examples:
  planspec graph sso-implementation-v2                       # from the current context (server or repository)
  planspec graph payments-launch-v2 -f examples/multi-team
  planspec graph examples/multi-team --plan payments-launch-v2
  planspec graph release -o mermaid >> README.md
  planspec graph release -o dot | dot -Tsvg > plan.svg`)
    .action(async (positional: string | undefined, o: Record<string, unknown>) => {
      setExit(await (await load.graph()).runGraphCommand({ ...(positional === undefined ? {} : { positional }), ...pickStrings(o, ['plan', 'namespace', 'server', 'repo', 'context']), ...(Array.isArray(o.filename) ? { filename: o.filename as string[] } : {}), output: o.output as never }, io))
    })

  program
    .command('init')
    .description('Set up a repository: write .planspec.yaml (default namespace, where manifests live) and the manifests folder.')
    .option('--namespace <ns>', 'default namespace of manifests that set none', 'default')
    .option('--dir <folder>', 'folder that holds the manifests', 'planspec')
    .addHelpText('after', `
Exit codes: 0 written, 1 .planspec.yaml already exists (nothing written), 2 usage.

Examples:
  planspec init
  planspec init --namespace team-platform --dir plans`)
    .action(async (o: { namespace: string; dir: string }) => setExit(await (await load.init()).runInit(o, io)))

  program
    .command('explain')
    .description("Print a field's documentation from the schemas, like kubectl explain; or a diagnostic code's.")
    .argument('<target>', 'KIND[.field.path] or a code such as PS3006')
    .option('--recursive', 'list nested fields too', false)
    .addHelpText('after', `
Examples:
  planspec explain plan
  planspec explain plan.spec.graph.nodes
  planspec explain binding.spec.rules.selector --recursive
  planspec explain PS3006`)
    .action(async (target: string, o: { recursive: boolean }) => setExit(await (await load.explain()).runExplain(target, o, io)))

  program
    .command('fix')
    .description('Rewrite legacy shapes in place (capabilityRef, day durations, "_" in node ids, ...), keeping comments.')
    .argument('[paths...]', 'files or directories', [])
    .option('--dry-run', 'say what would change without writing', false)
    .addHelpText('after', `
Examples:
  planspec fix docs/planspec --dry-run
  planspec fix . && planspec validate .`)
    .action(async (paths: string[], o: { dryRun: boolean }) => setExit(await (await load.fix()).runFix({ paths, dryRun: o.dryRun }, io)))

  program
    .command('simulate')
    .description('Dry-run one Execution on a virtual clock: providers, order, critical path, gates and every problem that would stop it.')
    .argument('[path]', 'file or directory holding the manifests', '.')
    .requiredOption('--execution <name>', 'name of the Execution to simulate')
    .option('-n, --namespace <ns>', 'namespace of the Execution, when the name is not unique')
    .addOption(output(SIMULATE_FORMATS, 'text'))
    .addHelpText('after', `
Exit codes: 0 nothing would stop the run, 1 a problem would (or the manifests have errors), 2 usage.

Examples:
  planspec simulate examples/multi-team --execution payments-launch-eu-001
  planspec simulate . --execution release-1 -o mermaid   # a Gantt chart of the run
  planspec simulate . --execution release-1 -o json`)
    .action(async (path: string, o: Record<string, string>) => {
      setExit(await (await load.simulate()).runSimulate({ path, execution: o.execution!, namespace: o.namespace, output: o.output as never }, io))
    })

  program
    .command('review')
    .description('Review a change between two git revisions: the semantic diff (nodes, dependencies, providers, approvers), the simulated runs it touches and the gates they will wait on.')
    .argument('[path]', 'directory or file inside a git checkout', '.')
    .requiredOption('--base <ref>', 'revision to compare against: a branch, tag or commit')
    .option('--head <ref>', 'revision to review (default: the working tree, uncommitted and untracked files included)')
    .addOption(output(REVIEW_FORMATS, 'text'))
    .addHelpText('after', `
Revisions are read with git (argv only, never a shell) from the object database; files are named
by their path in the repository. Every head Execution the change touches is simulated, unless
head has validation errors.

Exit codes: 0 reviewed, 1 head has validation errors, 2 usage, git or I/O error.

Examples:
  planspec review --base main                           # the working tree against main
  planspec review examples/minimal --base HEAD~1 --head HEAD
  planspec review . --base origin/main -o markdown > comment.md   # a PR comment body
  planspec review . --base origin/main -o json`)
    .action(async (path: string, o: Record<string, string | undefined>) => {
      setExit(await (await load.review()).runReview({ path, base: String(o.base), head: o.head, output: o.output as never }, io))
    })

  const collect = (value: string, previous: string[]): string[] => [...previous, value]
  program
    .command('run')
    .description('Run one Execution locally to completion: providers, gates, retries, timeouts; resumable with --state.')
    .argument('[path]', 'file or directory holding the manifests', '.')
    .requiredOption('--execution <name>', 'name of the Execution to run')
    .option('-n, --namespace <ns>', 'namespace of the Execution, when the name is not unique')
    .option('--state <file>', 'persist the run after every transition and resume from it')
    .option('--approve <gate>', 'approve this Gate when the run reaches it (repeatable)', collect, [])
    .option('--workspace <dir>', 'working directory of commands (default: STATE.workspace with --state, else a new temporary directory)')
    .option('--allow-command <pattern>', 'allow running this executable (absolute path or glob; repeatable)', collect, [])
    .option('--allow-url <pattern>', 'allow calling URLs that match (repeatable)', collect, [])
    .option('--allow-env <pattern>', "let Bindings hand this variable of planspec's environment to commands (config.env fromEnv; glob; repeatable)", collect, [])
    .option('--max-log-bytes <size>', 'what is kept of each stream of each attempt for planspec logs (default 256KiB)')
    .addOption(output(['text', 'json'], 'text'))
    .addHelpText('after', `
Exit codes: 0 Succeeded, 1 Failed, Cancelled or left Blocked, 2 usage or invalid manifests.

Examples:
  planspec run examples/minimal --execution changelog-2025-w10
  planspec run . --execution release-1 --approve release-approval --allow-command "$(command -v node)"
  planspec run . --execution release-1 --state .planspec/run.json   # resumes after a kill
  planspec run . --execution release-1 -o json > result.json`)
    .action(async (path: string, o: Record<string, unknown>) => {
      setExit(await (await load.run()).runRun({ path, execution: String(o.execution), namespace: o.namespace as string | undefined, state: o.state as string | undefined, approve: o.approve as string[], workspace: o.workspace as string | undefined, allowCommands: o.allowCommand as string[], allowUrls: o.allowUrl as string[], allowEnv: o.allowEnv as string[], ...(o.maxLogBytes ? { maxLogBytes: o.maxLogBytes as string } : {}), output: o.output as 'text' | 'json' }, io, io.signal))
    })

  registerRepoCommands(program, io, setExit)
  registerServerCommands(program, io, setExit)
  registerMcpCommand(program, io, setExit)
  registerScriptCommands(program, io, setExit)
  groupCommands(program)

  return program
}

/** The string-valued flags among `keys`, as given. */
function pickStrings(o: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of keys) if (typeof o[key] === 'string') out[key] = o[key] as string
  return out
}

/** The headings of `planspec --help`, each command under one. */
const HELP_GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Manifests (files in a working tree):', ['init', 'validate', 'fix', 'explain', 'graph', 'simulate', 'review', 'run']],
  ['Resources (a repository or a server, per context):', ['get', 'watch', 'describe', 'wait', 'logs', 'approve', 'reject', 'cancel', 'retry', 'work']],
  ['API server:', ['serve', 'apply', 'delete', 'diff', 'edit', 'config']],
  ['Agents and shells:', ['agent', 'mcp', 'completion']],
]

/** Examples for the commands registered without any (shown after their help). */
const EXAMPLES: Readonly<Record<string, string>> = {
  get: `  planspec get executions                       # every namespace, from the current context
  planspec get execution release-1 -n team -o yaml
  planspec get goals -l team=payments,tier!=web -o name
  planspec get executions --repo https://git.example.com/plans.git
  planspec get executions -w                    # then a line per change (the status branch, or the server's watch)
  planspec get execution release-1 -w -o json   # one event per line: {"type":"MODIFIED","object":{...}}`,
  describe: `  planspec describe execution release-1
  planspec describe gate release-approval --server https://planspec.example.com`,
  approve: `  planspec approve release-approval --comment "Reviewed the rollout plan." --wait
  planspec approve release-approval --execution release-2 --dry-run`,
  reject: `  planspec reject release-approval --comment "Missing the rollback step." --wait`,
  cancel: `  planspec cancel release-1 --wait`,
  retry: `  planspec retry release-1
  planspec retry release-1 --node deploy --wait 5m`,
  work: `  planspec work list
  planspec work claim docs-1 write
  planspec work complete docs-1 write url=https://example.com/post`,
  config: `  planspec config get-contexts
  planspec config use-context staging
  planspec config current-context`,
}

function groupCommands(program: Command): void {
  for (const [heading, names] of HELP_GROUPS) for (const command of program.commands) if (names.includes(command.name())) command.helpGroup(heading)
  for (const command of program.commands) {
    const examples = EXAMPLES[command.name()]
    if (examples !== undefined) command.addHelpText('after', `\nExamples:\n${examples}`)
  }
}
