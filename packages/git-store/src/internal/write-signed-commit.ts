import git from 'isomorphic-git'
import { GitTransportError } from '../errors.js'
import type { RepoContext } from './open-repository.js'

/** A commit's fields, as isomorphic-git's `writeCommit` takes them. */
export interface CommitFields {
  readonly tree: string
  readonly parents: readonly string[]
  readonly author: { readonly name: string; readonly email: string; readonly timestamp: number; readonly timezoneOffset: number }
  readonly committer: { readonly name: string; readonly email: string; readonly timestamp: number; readonly timezoneOffset: number }
  readonly message: string
}

function person(who: CommitFields['author']): string {
  const minutes = -who.timezoneOffset
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`
  return `${who.name} <${who.email}> ${who.timestamp} ${zone}`
}

/** Renders an unsigned commit object exactly as git does: the payload a signature covers. */
export function commitPayload(fields: CommitFields): string {
  const headers = [`tree ${fields.tree}`, ...fields.parents.map((p) => `parent ${p}`), `author ${person(fields.author)}`, `committer ${person(fields.committer)}`]
  return `${headers.join('\n')}\n\n${fields.message}`
}

/**
 * Writes a signed commit the way `git commit -S` does: the unsigned commit text is the payload,
 * `sign` returns the armored signature, which is inserted as the `gpgsig` header (continuation
 * lines indented by one space), so `git verify-commit` checks it. Returns the commit id.
 */
export async function writeSignedCommit(context: RepoContext, fields: CommitFields, sign: (payload: string) => Promise<string>): Promise<string> {
  const payload = commitPayload(fields)
  const signature = (await sign(payload)).replace(/\r\n/g, '\n').trim()
  if (signature === '') throw new GitTransportError('the signing program returned no signature', { data: {} })
  const split = payload.indexOf('\n\n')
  const signed = `${payload.slice(0, split)}\ngpgsig ${signature.split('\n').join('\n ')}${payload.slice(split)}`
  return git.writeObject({ fs: context.fs, gitdir: context.gitdir, type: 'commit', format: 'content', object: Buffer.from(signed, 'utf8') })
}

/** A commit's signature and the exact bytes it signs. */
export interface CommitSignature {
  /** The commit without its `gpgsig` headers: what git verifies the signature against. */
  readonly payload: Uint8Array
  /** The armored signature (`-----BEGIN SSH SIGNATURE-----` ...), when the commit is signed. */
  readonly signature: string | undefined
}

/**
 * Splits a raw commit object into its signature and signed payload by git's rule: the `gpgsig`
 * and `gpgsig-sha256` headers (with their continuation lines) are removed, everything else is the
 * payload, byte for byte. (isomorphic-git's own split only knows OpenPGP armor.)
 */
export function splitCommitSignature(raw: Uint8Array): CommitSignature {
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  const end = buffer.indexOf('\n\n')
  const headerEnd = end < 0 ? buffer.length : end
  const lines = buffer.subarray(0, headerEnd).toString('latin1').split('\n')
  const kept: string[] = []
  let signature: string[] | undefined
  let inSignature = false
  for (const line of lines) {
    if (line.startsWith(' ') && inSignature) {
      signature?.push(line.slice(1))
      continue
    }
    inSignature = false
    if (line.startsWith('gpgsig ') || line.startsWith('gpgsig-sha256 ')) {
      inSignature = true
      if (line.startsWith('gpgsig ')) signature = [line.slice('gpgsig '.length)]
      continue
    }
    kept.push(line)
  }
  const payload = Buffer.concat([Buffer.from(kept.join('\n'), 'latin1'), buffer.subarray(headerEnd)])
  return { payload, signature: signature === undefined ? undefined : Buffer.from(signature.join('\n'), 'latin1').toString('utf8') }
}

/** Reads a commit object raw and splits off its signature. */
export async function readCommitSignature(context: RepoContext, oid: string): Promise<CommitSignature> {
  let result
  try {
    result = await git.readObject({ fs: context.fs, gitdir: context.gitdir, oid, format: 'content', cache: context.cache.objects })
  } catch (cause) {
    throw new GitTransportError(`cannot read commit ${oid}`, { cause, data: { oid } })
  }
  if (result.type !== 'commit' || !(result.object instanceof Uint8Array)) throw new GitTransportError(`object ${oid} is a ${result.type}, not a commit`, { data: { oid } })
  return splitCommitSignature(result.object)
}
