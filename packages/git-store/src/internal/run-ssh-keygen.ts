import { spawn } from 'node:child_process'
import { GitTransportError } from '../errors.js'

/** The outcome of one ssh-keygen run. */
export interface SshKeygenResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Output kept from ssh-keygen (a signature is about 300 bytes; principals a few lines). */
const MAX_OUTPUT = 64 * 1024

/**
 * Runs `ssh-keygen` (or the program git is configured with, `gpg.ssh.program`) with an argv array,
 * never a shell (THREATS T11), a fixed minimal environment plus `SSH_AUTH_SOCK` (signing with
 * an agent-held key), `input` on stdin and a time limit. Resolves with the exit code and the
 * output; rejects with `PLANSPEC_ERR_GIT_TRANSPORT` when the program cannot be started.
 */
export function runSshKeygen(args: readonly string[], input: Uint8Array | string, options: { readonly program?: string; readonly timeoutMs?: number; readonly env?: Readonly<Record<string, string | undefined>> } = {}): Promise<SshKeygenResult> {
  const program = options.program ?? 'ssh-keygen'
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' }
    const sock = options.env?.SSH_AUTH_SOCK ?? process.env.SSH_AUTH_SOCK
    if (sock) env.SSH_AUTH_SOCK = sock
    const child = spawn(program, [...args], { shell: false, stdio: ['pipe', 'pipe', 'pipe'], env, timeout: options.timeoutMs ?? 30_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk.toString('utf8')
    })
    child.on('error', (cause) => reject(new GitTransportError(`cannot run ${program}: ${cause.message}`, { cause, data: { program } })))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}
