import type { Command } from 'commander'
import type { CommandIO } from './io.js'
import { resolveContext, type ResolvedContext } from './commands/server/resolve-context.js'

/** The flags every repository command shares. */
export function repoFlags(command: Command): Command {
  return command
    .option('--repo <url|path>', 'the manifest repository: an http(s) URL or a local path (default: the current directory)')
    .option('--branch <name>', 'tracked branch', 'main')
    .option('--status-branch <name>', 'status branch', 'planspec/status')
    .option('--cache-dir <dir>', 'where a remote repository is cloned')
}

/** Adds `--server` and `--context` to a command that works against a repository or a server. */
export function targetFlags(command: Command): Command {
  return command
    .option('--server <url>', 'a PlanSpec API server instead of a repository (token from PLANSPEC_TOKEN or the context)')
    .option('--context <name>', 'a context of your PlanSpec config (default: its current context)')
}

/** Resolves where a command goes: `--server`, `--repo`, the context, else the current directory's repository. */
export async function targetOf(o: Record<string, unknown>, io: CommandIO): Promise<ResolvedContext> {
  return resolveContext({ ...(o.server ? { server: o.server as string } : {}), ...(o.repo ? { repo: o.repo as string } : {}), ...(o.context ? { context: o.context as string } : {}) }, io)
}
