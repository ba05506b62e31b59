import { spawn } from 'node:child_process'

/** Options of {@link runGit}. */
export interface RunGitOptions {
  /** Working directory of the git process. */
  readonly cwd?: string
  /** Extra environment variables, on top of the hermetic defaults. */
  readonly env?: Readonly<Record<string, string>>
  /** Bytes or text written to git's stdin. */
  readonly input?: string | Uint8Array
  /** The git executable; `git` from PATH by default. */
  readonly git?: string
}

/** The outcome of a git run that exited 0. */
export interface RunGitResult {
  readonly stdout: string
  readonly stderr: string
}

/**
 * The environment every native git run gets: no system or user config, no prompts, a fixed
 * identity, so fixtures behave the same on every machine.
 */
export function hermeticGitEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Fixture Author',
    GIT_AUTHOR_EMAIL: 'author@fixture.invalid',
    GIT_COMMITTER_NAME: 'Fixture Author',
    GIT_COMMITTER_EMAIL: 'author@fixture.invalid',
    ...extra,
  }
}

/**
 * Runs native git with an argv array (never a shell, THREATS T11) in a hermetic environment and
 * resolves with its output; rejects with an error carrying `exitCode` and `stderr` when git exits
 * non-zero.
 *
 * @example
 * const { stdout } = await runGit(['rev-parse', 'HEAD'], { cwd: repo })
 */
export function runGit(args: readonly string[], options: RunGitOptions = {}): Promise<RunGitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.git ?? 'git', [...args], { cwd: options.cwd, env: hermeticGitEnv(options.env), shell: false, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (code === 0) resolve({ stdout, stderr })
      else reject(Object.assign(new Error(`git ${args[0] ?? ''} exited with ${code ?? 'a signal'}: ${stderr.trim()}`), { exitCode: code, stderr }))
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}
