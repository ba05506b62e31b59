import type { Command } from 'commander'
import { runCompletion, SHELLS } from './commands/completion.js'
import { resolveContext } from './commands/server/resolve-context.js'
import { parseWaitFor, runWait } from './commands/wait.js'
import { durationFlag } from './duration-flag.js'
import type { CommandIO } from './io.js'

/**
 * Registers the commands made for scripts and shells: `wait` (in git mode and against a server)
 * and `completion bash|zsh|fish`.
 */
export function registerScriptCommands(program: Command, io: CommandIO, setExit: (code: number) => void): void {
  program
    .command('wait')
    .description('Wait until a resource reaches a phase or a condition (kubectl wait), against a server or a repository.')
    .argument('<kind>', 'executions, plans, goals, gates, capabilities or bindings')
    .argument('<name>', 'the resource')
    .requiredOption('--for <condition>', 'phase=NAME (e.g. phase=Succeeded) or condition=TYPE[=STATUS] (e.g. condition=Ready)')
    .option('--timeout <duration>', 'give up after this long (exit 1)', '5m')
    .option('-n, --namespace <ns>', 'namespace, when the name is not unique')
    .option('--server <url>', 'a PlanSpec API server instead of a repository')
    .option('--repo <url|path>', 'the manifest repository (default: the current context, else the current directory)')
    .option('--context <name>', 'a context of your PlanSpec config')
    .option('--branch <name>', 'tracked branch (git mode)', 'main')
    .option('--status-branch <name>', 'status branch (git mode)', 'planspec/status')
    .addHelpText('after', `
Exit codes: 0 the condition is met, 1 timed out, not found, or an Execution ended in another final
phase (Failed while waiting for Succeeded), 2 usage or I/O error; 130 on Ctrl-C.

Examples:
  planspec wait execution release-1 --for=phase=Succeeded --timeout 10m
  planspec wait gate release-approval --for=phase=Approved
  planspec wait binding platform-bindings --for=condition=Resolved --server https://planspec.example.com`)
    .action(async (kind: string, name: string, o: Record<string, unknown>) => {
      const wanted = parseWaitFor(String(o.for))
      const timeoutMs = durationFlag(String(o.timeout), '--timeout')
      const target = await resolveContext({ ...(o.server ? { server: o.server as string } : {}), ...(o.repo ? { repo: o.repo as string } : {}), ...(o.context ? { context: o.context as string } : {}) }, io)
      const namespace = (o.namespace as string | undefined) ?? target.namespace
      // Loaded when the command runs: the resource clients (git, HTTP) weigh on every other command's start.
      const [{ openResourceClient }, { reportApiError }] = await Promise.all([import('./commands/open-resource-client.js'), import('./commands/server/report-api-error.js')])
      const client = openResourceClient(target, io, { branch: o.branch as string, statusBranch: o.statusBranch as string })
      try {
        setExit(await runWait(client, { kind, name, ...(namespace ? { namespace } : {}), for: wanted, timeoutMs }, io))
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
