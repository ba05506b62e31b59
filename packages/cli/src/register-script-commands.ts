import type { Command } from 'commander'
import { runCompletion, SHELLS } from './commands/completion.js'
import { repoFlags, targetFlags, targetOf } from './target-flags.js'
import { durationFlag } from './duration-flag.js'
import { UsageError, type CommandIO } from './io.js'

/**
 * Registers the commands made for scripts and shells: `wait` and `logs` (in git mode and against
 * a server; `logs` also reads a `planspec run` state file) and `completion bash|zsh|fish`.
 */
export function registerScriptCommands(program: Command, io: CommandIO, setExit: (code: number) => void): void {
  targetFlags(repoFlags(program.command('wait')))
    .description('Wait until a resource reaches a phase or a condition (kubectl wait), against a server or a repository.')
    .argument('<kind>', 'executions, plans, goals, gates, capabilities or bindings')
    .argument('<name>', 'the resource')
    .requiredOption('--for <condition>', 'phase=NAME (e.g. phase=Succeeded) or condition=TYPE[=STATUS] (e.g. condition=Ready)')
    .option('--timeout <duration>', 'give up after this long (exit 1)', '5m')
    .option('-n, --namespace <ns>', 'namespace, when the name is not unique')
    .addHelpText('after', `
Exit codes: 0 the condition is met, 1 timed out, not found, or an Execution ended in another final
phase (Failed while waiting for Succeeded), 2 usage or I/O error; 130 on Ctrl-C.

Examples:
  planspec wait execution release-1 --for=phase=Succeeded --timeout 10m
  planspec wait gate release-approval --for=phase=Approved
  planspec wait binding platform-bindings --for=condition=Resolved --server https://planspec.example.com`)
    .action(async (kind: string, name: string, o: Record<string, unknown>) => {
      // Loaded when the command runs: wait and the resource clients (git, HTTP) weigh on every other command's start.
      const [{ parseWaitFor, runWait }, { openResourceClient }, { reportApiError }] = await Promise.all([import('./commands/wait.js'), import('./commands/open-resource-client.js'), import('./commands/server/report-api-error.js')])
      const wanted = parseWaitFor(String(o.for))
      const timeoutMs = durationFlag(String(o.timeout), '--timeout')
      const target = await targetOf(o, io)
      const namespace = (o.namespace as string | undefined) ?? target.namespace
      const client = openResourceClient(target, io, { branch: o.branch as string, statusBranch: o.statusBranch as string, ...(o.cacheDir ? { cacheDir: o.cacheDir as string } : {}) })
      try {
        setExit(await runWait(client, { kind, name, ...(namespace ? { namespace } : {}), for: wanted, timeoutMs }, io))
      } catch (error) {
        setExit(reportApiError(error, io))
      }
    })

  targetFlags(repoFlags(program.command('logs')))
    .description("Print the output of an Execution's attempts (stdout and stderr, capped and secret-masked), from a server, a repository or a run's state file.")
    .argument('<execution>', 'the Execution')
    .argument('[node]', 'one node (default: every node that ran)')
    .option('-f, --follow', 'keep printing what attempts print, until the Execution (or NODE) ends')
    .option('--attempt <n>', 'this attempt (default: the last of each node)')
    .option('--all-attempts', 'every kept attempt')
    .option('--stream <name>', 'stdout or stderr (default: both)')
    .option('--tail <lines>', 'the last lines of each log')
    .option('--state <file>', "a 'planspec run --state FILE' run's logs (kept beside the state file)")
    .option('-n, --namespace <ns>', 'namespace, when the name is not unique')
    .addHelpText('after', `
Each stream of each attempt keeps at most 256 KiB: the first quarter and the end, around a
"[... N bytes truncated ...]" line (--max-log-bytes of run, agent and serve sets it). Known
secrets are masked before anything is kept. Several logs are printed each under a
"==> NODE attempt N STREAM <==" header; -f prints what running attempts print (saved every
second by run and serve, every 5 s by the agent).

Exit codes: 0 printed (or nothing kept yet), 1 no such Execution or node, 2 usage or I/O error;
130 on Ctrl-C.

Examples:
  planspec logs release-1                        # the last attempt of every node
  planspec logs release-1 build --stream stderr --tail 20
  planspec logs release-1 deploy --all-attempts
  planspec logs release-1 -f                     # until the Execution ends
  planspec logs release-1 --state .planspec/run.json`)
    .action(async (execution: string, node: string | undefined, o: Record<string, unknown>) => {
      const { clientLogsSource, parseCount, parseStream, runLogs, stateLogsSource } = await import('./commands/logs.js')
      const stream = parseStream(o.stream as string | undefined)
      const attempt = parseCount(o.attempt as string | undefined, '--attempt', 1)
      const tail = parseCount(o.tail as string | undefined, '--tail', 0)
      if (attempt !== undefined && o.allAttempts) throw new UsageError('--attempt and --all-attempts do not go together')
      const options = { execution, ...(node === undefined ? {} : { node }), ...(attempt === undefined ? {} : { attempt }), ...(o.allAttempts ? { allAttempts: true } : {}), ...(stream === undefined ? {} : { stream }), ...(tail === undefined ? {} : { tail }), ...(o.follow ? { follow: true } : {}) }
      if (o.state) return setExit(await runLogs(stateLogsSource(o.state as string, io.cwd)(execution), options, io))
      const target = await targetOf(o, io)
      const namespace = (o.namespace as string | undefined) ?? target.namespace
      const [{ openResourceClient }, { reportApiError }] = await Promise.all([import('./commands/open-resource-client.js'), import('./commands/server/report-api-error.js')])
      const client = openResourceClient(target, io, { branch: o.branch as string, statusBranch: o.statusBranch as string, ...(o.cacheDir ? { cacheDir: o.cacheDir as string } : {}) })
      try {
        setExit(await runLogs(clientLogsSource(client, namespace)(execution), { ...options, pollMs: client.mode === 'server' ? 1000 : 2000 }, io))
      } catch (error) {
        setExit(reportApiError(error, io))
      }
    })

  program
    .command('completion')
    .description('Print a shell completion script: commands, flags and kinds complete on Tab.')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText('after', `
Examples:
  source <(planspec completion bash)                                   # in ~/.bashrc
  planspec completion zsh > "\${fpath[1]}/_planspec"                    # then restart zsh
  planspec completion fish > ~/.config/fish/completions/planspec.fish`)
    .action((shell: string) => setExit(runCompletion(shell, program, io)))
}
