import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { signPayload, type SshSigningKey } from '@planspec/git-store'
import type { ClientEnv } from './client-env.js'

/** The signing key a person's requests are signed with, or why there is none. */
export type SigningKeyLookup = { readonly key: SshSigningKey; readonly describe: string } | { readonly problem: string }

/** Reads one git config value the way git does (the repository's config, then the global one). */
function gitConfig(io: ClientEnv, cwd: string, key: string): string | undefined {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(io.env)) if (value !== undefined) env[name] = value
  const result = spawnSync('git', ['config', '--get', key], { cwd, encoding: 'utf8', env, shell: false })
  const value = result.status === 0 ? result.stdout.trim() : ''
  return value === '' ? undefined : value
}

const PUBLIC_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-(ssh-ed25519|ecdsa-sha2-\S+)@openssh\.com) [A-Za-z0-9+/=]+/

/**
 * Finds the person's signing key the way git does for `git commit -S` (DECISIONS §9):
 * `user.signingKey` with `gpg.format=ssh` (from the repository's config, then the global one;
 * `gpg.ssh.program` when set). The key may be a private key file, a public key file (its private
 * half in ssh-agent), or a literal `key::ssh-ed25519 AAAA...` (also through the agent). OpenPGP
 * and X.509 formats are not supported: requests are verified as SSH signatures.
 *
 * @example
 * const found = findSigningKey(io, repoDir)
 * if ('problem' in found) io.stderr.write(`error: ${found.problem}\n`)
 */
export function findSigningKey(io: ClientEnv, cwd: string): SigningKeyLookup {
  const format = gitConfig(io, cwd, 'gpg.format') ?? 'openpgp'
  const configured = gitConfig(io, cwd, 'user.signingkey')
  const help = 'requests are signed like `git commit -S` with an SSH key: git config --global gpg.format ssh && git config --global user.signingKey ~/.ssh/id_ed25519.pub (its public key must be in .planspec/allowed-signers on the tracked branch)'
  if (configured === undefined) return { problem: `no signing key: git config user.signingKey is not set; ${help}` }
  if (format !== 'ssh') return { problem: `git config gpg.format is ${format}; ${help}` }
  const program = gitConfig(io, cwd, 'gpg.ssh.program')
  const extra = program === undefined ? {} : { program }
  if (configured.startsWith('key::')) return { key: { keyFile: literalKeyFile(configured.slice('key::'.length)), agent: true, ...extra }, describe: 'the key of user.signingKey (through ssh-agent)' }
  if (PUBLIC_KEY.test(configured)) return { key: { keyFile: literalKeyFile(configured), agent: true, ...extra }, describe: 'the key of user.signingKey (through ssh-agent)' }
  const path = configured.startsWith('~/') ? join(io.env.HOME ?? homedir(), configured.slice(2)) : isAbsolute(configured) ? configured : resolve(cwd, configured)
  let head: string
  try {
    head = readFileSync(path, 'utf8').slice(0, 200)
  } catch (error) {
    return { problem: `cannot read the signing key ${path} (git config user.signingKey): ${(error as Error).message}` }
  }
  return { key: { keyFile: path, agent: PUBLIC_KEY.test(head.trim()), ...extra }, describe: path }
}

/** A literal public key goes to a private temporary file: ssh-keygen reads keys from files. */
function literalKeyFile(publicKey: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'planspec-key-'))
  const file = join(dir, 'key.pub')
  writeFileSync(file, `${publicKey.trim()}\n`, { mode: 0o600 })
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return file
}

/** Returns the `sign` function for `appendRequest`: the commit payload signed with `key` (namespace `git`). */
export function signerOf(key: SshSigningKey): (payload: string) => Promise<string> {
  return (payload) => signPayload(payload, key)
}
