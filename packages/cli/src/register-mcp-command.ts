import type { Command } from 'commander'
import type { CommandIO } from './io.js'

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/** Registers `planspec mcp`: the MCP server that lets AI agents take part in plans. */
export function registerMcpCommand(program: Command, io: CommandIO, setExit: (code: number) => void): void {
  program
    .command('mcp')
    .description('Serve the Model Context Protocol for AI agents: find, claim and complete work, validate and propose plans, ask for approval, within the same rules as people.')
    .option('--repo <url|path>', 'a manifest repository (git mode): act as the identity of your signing key')
    .option('--server <url>', 'a PlanSpec API server: act as the token in PLANSPEC_TOKEN (or the context\'s tokenEnv)')
    .option('--context <name>', 'a context of .planspec.yaml (default: its currentContext)')
    .option('--branch <name>', 'tracked branch (git mode)', 'main')
    .option('--status-branch <name>', 'status branch (git mode)', 'planspec/status')
    .option('--cache-dir <dir>', 'where a remote repository is cloned')
    .option('--as <principal>', 'the principal of .planspec/allowed-signers to act as, when your key is listed under several')
    .option('--listen <addr>', 'serve streamable HTTP at http://HOST:PORT/mcp instead of stdio (bearer token in PLANSPEC_MCP_TOKEN)')
    .option('--workspace <dir>', 'where completed work is checked against its acceptance criteria (default: the working directory)')
    .option('--allow-command <pattern>', 'allow acceptance criteria to run this executable (absolute path or glob; repeatable)', collect, [])
    .option('--allow-url <pattern>', 'allow acceptance criteria to call URLs that match (repeatable)', collect, [])
    .option('--github-repo <owner/repo>', 'propose_plan opens a pull request in this GitHub repository (token in PLANSPEC_GITHUB_TOKEN or GITHUB_TOKEN)')
    .option('--github-api-url <url>', 'GitHub REST API root (default: https://api.github.com)')
    .addHelpText('after', `
In git mode requests are commits on the status branch signed with your SSH key (git config gpg.format ssh,
user.signingKey), and the server acts as the principal .planspec/allowed-signers lists for that key: list an
agent's key as svc:NAME to let it claim agent://NAME work. Against a server it acts as its token's user. It
never approves or rejects a Gate unless the Gate's reviewers name its svc: identity; every action is
recorded with the MCP client it came through.

Stdio (the default) is for MCP clients that start the server themselves; audit lines go to stderr.

Examples:
  planspec mcp --repo https://git.example.com/team/plans.git
  planspec mcp --server https://planspec.example.com --allow-command "$(command -v npm)"
  PLANSPEC_MCP_TOKEN=$(openssl rand -hex 24) planspec mcp --repo . --listen 127.0.0.1:7331
  planspec mcp --repo . --github-repo acme/plans`)
    .action(async (o: Record<string, unknown>) => {
      setExit(
        // Loaded when the command runs: the MCP SDK stays out of every other command's start.
        await (await import('./commands/mcp/run-mcp.js')).runMcpCommand(
          {
            ...(o.repo ? { repo: o.repo as string } : {}),
            ...(o.server ? { server: o.server as string } : {}),
            ...(o.context ? { context: o.context as string } : {}),
            branch: o.branch as string,
            statusBranch: o.statusBranch as string,
            ...(o.cacheDir ? { cacheDir: o.cacheDir as string } : {}),
            ...(o.as ? { as: o.as as string } : {}),
            ...(o.listen ? { listen: o.listen as string } : {}),
            ...(o.workspace ? { workspace: o.workspace as string } : {}),
            allowCommands: o.allowCommand as string[],
            allowUrls: o.allowUrl as string[],
            ...(o.githubRepo ? { githubRepo: o.githubRepo as string } : {}),
            ...(o.githubApiUrl ? { githubApiUrl: o.githubApiUrl as string } : {}),
          },
          io,
        ),
      )
    })
}
