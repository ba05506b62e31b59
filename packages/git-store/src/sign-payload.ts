import { GitInvalidInputError } from './errors.js'
import { runSshKeygen } from './internal/run-ssh-keygen.js'

/** An SSH signing key as git's `user.signingKey` names it (gpg.format=ssh). */
export interface SshSigningKey {
  /** A private key file, or a public key file whose private half an ssh-agent holds (`agent`). */
  readonly keyFile: string
  /** True when `keyFile` is a public key: ssh-keygen asks the agent (`-U`), as git does. */
  readonly agent?: boolean
  /** The ssh-keygen program (`gpg.ssh.program`); `ssh-keygen` by default. */
  readonly program?: string
}

/**
 * Signs `payload` the way `git commit -S` with `gpg.format=ssh` does: `ssh-keygen -Y sign -n git
 * -f KEY` (argv only, the payload on stdin) and returns the armored signature. Throws
 * `PLANSPEC_ERR_GIT_INVALID_INPUT` with ssh-keygen's own message when it cannot sign (a missing
 * or passphrase-protected key without an agent, a key ssh-keygen cannot read).
 *
 * @example
 * await appendRequest({ ...repo, request, author, sign: (payload) => signPayload(payload, { keyFile: '~/.ssh/id_ed25519' }) })
 */
export async function signPayload(payload: string, key: SshSigningKey, namespace = 'git'): Promise<string> {
  const args = ['-Y', 'sign', '-n', namespace, '-f', key.keyFile, ...(key.agent ? ['-U'] : [])]
  const result = await runSshKeygen(args, payload, { ...(key.program === undefined ? {} : { program: key.program }), timeoutMs: 60_000 })
  const signature = result.stdout.trim()
  if (result.code !== 0 || !signature.startsWith('-----BEGIN SSH SIGNATURE-----')) {
    const why = result.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300) || `exit code ${String(result.code)}`
    throw new GitInvalidInputError(`cannot sign with ${key.keyFile}: ${why}`, { data: { field: 'signingKey' } })
  }
  return `${signature}\n`
}
