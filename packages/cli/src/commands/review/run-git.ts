import { spawn } from 'node:child_process'
import { UsageError } from '../../io.js'

/** How to run git: the working directory, the environment, and optional standard input. */
export interface GitCall {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly input?: string
}

/** A git failure: git missing (no `exitCode`) or git exiting non-zero. Ends the command with exit 2. */
export class GitError extends UsageError {
  constructor(
    message: string,
    readonly exitCode?: number,
  ) {
    super(message)
  }
}

/**
 * Runs `git` with an argv array, never through a shell (THREATS T11), and returns its standard
 * output as bytes. A missing git, or git exiting non-zero, is a UsageError (exit 2) carrying git's
 * first line of complaint, as a {@link GitError}.
 */
export function runGit(args: readonly string[], call: GitCall): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // GIT_TERMINAL_PROMPT: never wait for credentials; GIT_OPTIONAL_LOCKS: read without taking locks.
    const child = spawn('git', [...args], { cwd: call.cwd, env: { ...call.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' }, stdio: ['pipe', 'pipe', 'pipe'], shell: false })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    child.on('error', (error: NodeJS.ErrnoException) => reject(new GitError(error.code === 'ENOENT' ? 'git was not found on PATH; planspec review reads revisions with git' : `git failed to start: ${error.message}`)))
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out))
      else reject(new GitError(`git ${args[0]} failed: ${err.trim().split('\n')[0] || `exit code ${code}`}`, code ?? undefined))
    })
    // A git that exits before reading its input closes the pipe: the exit code reports the failure.
    child.stdin.on('error', () => undefined)
    child.stdin.end(call.input ?? '')
  })
}
