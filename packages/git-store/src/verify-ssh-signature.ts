import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runSshKeygen } from './internal/run-ssh-keygen.js'

/** Why a signed request does not identify anyone (DECISIONS §9). */
export type SignatureRefusal = 'Unsigned' | 'UnknownSigner' | 'SignerMismatch' | 'BadSignature'

/** The verdict on one signature. */
export type SignatureVerdict =
  | { readonly verified: true; readonly identity: string }
  | { readonly verified: false; readonly reason: SignatureRefusal; readonly message: string; readonly principals?: readonly string[] }

/** Options of {@link verifySshSignature}. */
export interface VerifySshSignatureOptions {
  /** The signed bytes (a commit without its `gpgsig` header). */
  readonly payload: Uint8Array
  /** The armored signature; undefined when the commit is not signed. */
  readonly signature: string | undefined
  /** The allowed-signers file (git's `gpg.ssh.allowedSignersFile` format) as text. */
  readonly allowedSigners: string
  /** The identity the commit claims (its author e-mail): it must be a principal of the signing key. */
  readonly identity: string
  /** The signature namespace; `git` (what `git commit -S` uses) by default. */
  readonly namespace?: string
  /** The ssh-keygen program (git's `gpg.ssh.program`); `ssh-keygen` from PATH by default. */
  readonly program?: string
}

const SSH_ARMOR = '-----BEGIN SSH SIGNATURE-----'

/**
 * Verifies an SSH signature with git's own rules, through `ssh-keygen -Y` (argv only, the payload
 * on stdin, the allowed signers and the signature in a private temporary directory):
 * - no signature: `Unsigned`; an OpenPGP or X.509 signature is not supported: `UnknownSigner`;
 * - `ssh-keygen -Y verify -I IDENTITY -n git` succeeds: verified for IDENTITY;
 * - otherwise, when `-Y find-principals` finds no principal for the key: `UnknownSigner`;
 * - when the key belongs to other principals and the signature is valid for them: `SignerMismatch`
 *   (a valid signature of another person's key under a forged author);
 * - else (a tampered payload, another namespace, an expired key): `BadSignature`.
 *
 * Never throws for content; rejects only when ssh-keygen cannot be started.
 *
 * @example
 * const verdict = await verifySshSignature({ payload, signature, allowedSigners, identity: 'alice@example.com' })
 * if (verdict.verified) console.log(`signed by ${verdict.identity}`)
 */
export async function verifySshSignature(options: VerifySshSignatureOptions): Promise<SignatureVerdict> {
  const { signature, identity } = options
  if (signature === undefined || signature.trim() === '') return { verified: false, reason: 'Unsigned', message: 'the commit is not signed' }
  if (!signature.trim().startsWith(SSH_ARMOR)) return { verified: false, reason: 'UnknownSigner', message: 'only SSH signatures (gpg.format=ssh) are verified; this commit carries another kind' }
  const namespace = options.namespace ?? 'git'
  const dir = await mkdtemp(join(tmpdir(), 'planspec-verify-'))
  try {
    const signers = join(dir, 'allowed_signers')
    const sig = join(dir, 'signature')
    await writeFile(signers, options.allowedSigners.endsWith('\n') ? options.allowedSigners : `${options.allowedSigners}\n`, { mode: 0o600 })
    await writeFile(sig, `${signature.trim()}\n`, { mode: 0o600 })
    const run = (args: readonly string[], input: Uint8Array | string) => runSshKeygen(args, input, options.program === undefined ? {} : { program: options.program })
    const valid = /^[^\s,"]{1,320}$/.test(identity) && (await run(['-Y', 'verify', '-f', signers, '-I', identity, '-n', namespace, '-s', sig], options.payload)).code === 0
    if (valid) return { verified: true, identity }
    const found = await run(['-Y', 'find-principals', '-f', signers, '-s', sig], '')
    const principals = found.code === 0 ? found.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : []
    if (principals.length === 0) return { verified: false, reason: 'UnknownSigner', message: 'the signing key is not in the allowed-signers file' }
    const theirs = await run(['-Y', 'verify', '-f', signers, '-I', principals[0]!, '-n', namespace, '-s', sig], options.payload)
    if (theirs.code === 0) return { verified: false, reason: 'SignerMismatch', message: `the commit names ${identity} but is signed by the key of ${principals.join(', ')}`, principals }
    return { verified: false, reason: 'BadSignature', message: 'the signature does not verify (altered commit, another namespace, or a key not valid now)', principals }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Options of {@link findSignerPrincipals}. */
export interface FindSignerPrincipalsOptions {
  /** An armored SSH signature made with the key in question (of any payload). */
  readonly signature: string
  /** The allowed-signers file (git's `gpg.ssh.allowedSignersFile` format) as text. */
  readonly allowedSigners: string
  /** The ssh-keygen program (git's `gpg.ssh.program`); `ssh-keygen` from PATH by default. */
  readonly program?: string
}

/**
 * Lists the principals an allowed-signers file gives the key that made `signature`
 * (`ssh-keygen -Y find-principals`, argv only): who a signing key acts as, so a process can act
 * as "the identity of its signing key". Empty when the file does not list the key, or the
 * signature is not an SSH signature. Rejects only when ssh-keygen cannot be started.
 *
 * @example
 * const principals = await findSignerPrincipals({ signature: await signPayload('probe', key), allowedSigners })
 */
export async function findSignerPrincipals(options: FindSignerPrincipalsOptions): Promise<string[]> {
  if (!options.signature.trim().startsWith(SSH_ARMOR)) return []
  const dir = await mkdtemp(join(tmpdir(), 'planspec-principals-'))
  try {
    const signers = join(dir, 'allowed_signers')
    const sig = join(dir, 'signature')
    await writeFile(signers, options.allowedSigners.endsWith('\n') ? options.allowedSigners : `${options.allowedSigners}\n`, { mode: 0o600 })
    await writeFile(sig, `${options.signature.trim()}\n`, { mode: 0o600 })
    const found = await runSshKeygen(['-Y', 'find-principals', '-f', signers, '-s', sig], '', options.program === undefined ? {} : { program: options.program })
    return found.code === 0 ? [...new Set(found.stdout.split('\n').flatMap((line) => line.trim().split(',')).map((p) => p.trim()).filter(Boolean))] : []
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Lists the literal principals of an allowed-signers file (`alice@example.org,bob@example.org
 * ssh-ed25519 AAAA...`): patterns with `*`, `?` or `!` and `cert-authority` lines name nobody in
 * particular and are left out. These are the people with write access in git mode (DECISIONS §9).
 *
 * @example
 * allowedSignerPrincipals('alice@example.org namespaces="git" ssh-ed25519 AAAA...') // ['alice@example.org']
 */
export function allowedSignerPrincipals(text: string): string[] {
  const principals = new Set<string>()
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    let field: string
    let rest: string
    if (line.startsWith('"')) {
      const close = line.indexOf('"', 1)
      if (close < 0) continue
      field = line.slice(1, close)
      rest = line.slice(close + 1)
    } else {
      const space = line.search(/\s/)
      if (space < 0) continue
      field = line.slice(0, space)
      rest = line.slice(space)
    }
    if (/(^|[\s,])cert-authority([\s,]|$)/.test(rest.trim().split(/\s+/)[0] ?? '')) continue
    for (const principal of field.split(',')) if (principal && !/[*?!]/.test(principal)) principals.add(principal.toLowerCase())
  }
  return [...principals]
}
