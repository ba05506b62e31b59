import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** An SSH key pair made by `ssh-keygen` for signing tests. */
export interface SshKey {
  /** The private key file (no passphrase). */
  readonly keyFile: string
  /** The public key file (`keyFile` + `.pub`). */
  readonly publicKeyFile: string
  /** The public key line (`ssh-ed25519 AAAA... comment`). */
  readonly publicKey: string
  /** The line of an allowed-signers file (git's `gpg.ssh.allowedSignersFile` format) for `principal`. */
  allowedSigner(principal: string): string
}

/**
 * Creates an ed25519 key pair with the real `ssh-keygen` (argv only, no passphrase) in `dir`
 * under `name`, for tests that sign commits as `git commit -S` with `gpg.format=ssh` does.
 *
 * @example
 * const alice = await createSshKey(dir, 'alice')
 * writeFileSync(signers, alice.allowedSigner('alice@example.org') + '\n')
 */
export async function createSshKey(dir: string, name: string): Promise<SshKey> {
  const keyFile = join(dir, name)
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', keyFile], { shell: false, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh-keygen exited with ${String(code)}: ${stderr.trim()}`))))
  })
  const publicKey = (await readFile(`${keyFile}.pub`, 'utf8')).trim()
  return { keyFile, publicKeyFile: `${keyFile}.pub`, publicKey, allowedSigner: (principal) => `${principal} ${publicKey}` }
}
