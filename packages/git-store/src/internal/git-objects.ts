import git from 'isomorphic-git'
import { GitTransportError } from '../errors.js'
import type { RepoContext } from './open-repository.js'
import { rememberBlob } from './remember-blob.js'

/** What a tree entry is, from its mode. */
export type EntryType = 'tree' | 'blob' | 'symlink' | 'gitlink' | 'unknown'

/** One entry of a tree as stored: the raw name is kept, whatever it holds. */
export interface RawTreeEntry {
  readonly mode: string
  readonly name: string
  readonly oid: string
  readonly type: EntryType
}

/** The id of the empty tree. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

function entryType(mode: string): EntryType {
  if (mode === '40000' || mode === '040000') return 'tree'
  if (mode === '100644' || mode === '100755') return 'blob'
  if (mode === '120000') return 'symlink'
  if (mode === '160000') return 'gitlink'
  return 'unknown'
}

/**
 * Parses a tree object's bytes (`<mode> <name>\0<20-byte id>`...). Unlike isomorphic-git's
 * `readTree`, which throws on the first unsafe name, every entry comes back with its raw name so
 * that each one can be judged, and refused, on its own (THREATS T10).
 */
export function parseTree(bytes: Uint8Array): RawTreeEntry[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const entries: RawTreeEntry[] = []
  let at = 0
  while (at < buffer.length) {
    const space = buffer.indexOf(0x20, at)
    const nul = space < 0 ? -1 : buffer.indexOf(0, space + 1)
    if (space < 0 || nul < 0 || nul + 21 > buffer.length) throw new GitTransportError('a tree object is malformed', { data: { offset: at } })
    const mode = buffer.toString('latin1', at, space)
    const name = buffer.toString('utf8', space + 1, nul)
    const oid = buffer.toString('hex', nul + 1, nul + 21)
    entries.push({ mode, name, oid, type: entryType(mode) })
    at = nul + 21
  }
  return entries
}

async function readRaw(context: RepoContext, oid: string, expected: string): Promise<Uint8Array> {
  let result
  try {
    result = await git.readObject({ fs: context.fs, gitdir: context.gitdir, oid, format: 'content', cache: context.cache.objects })
  } catch (cause) {
    throw new GitTransportError(`cannot read ${expected} ${oid}`, { cause, data: { oid } })
  }
  if (result.type !== expected || !(result.object instanceof Uint8Array)) throw new GitTransportError(`object ${oid} is a ${result.type}, not a ${expected}`, { data: { oid } })
  return result.object
}

/**
 * Reads and parses a tree (the empty tree needs no object). Trees are immutable, so parsed ones
 * are kept in the cache by id; the entries returned must not be modified.
 */
export async function readRawTree(context: RepoContext, oid: string): Promise<readonly RawTreeEntry[]> {
  if (oid === EMPTY_TREE) return []
  const cache = context.cache
  const cached = cache.trees.get(oid)
  if (cached) return cached
  const entries = parseTree(await readRaw(context, oid, 'tree'))
  rememberBlob(cache.trees, cache.maxBlobs, oid, entries)
  return entries
}

/** Reads a blob's bytes. */
export function readBlobBytes(context: RepoContext, oid: string): Promise<Uint8Array> {
  return readRaw(context, oid, 'blob')
}

/** The parts of a commit the store uses. */
export interface CommitInfo {
  readonly oid: string
  readonly tree: string
  readonly parents: readonly string[]
  readonly author: { readonly name: string; readonly email: string; readonly timestamp: number }
  /** Committer time, seconds since the epoch. */
  readonly time: number
  readonly message: string
}

/** Reads a commit. */
export async function readCommitInfo(context: RepoContext, oid: string): Promise<CommitInfo> {
  let result
  try {
    result = await git.readCommit({ fs: context.fs, gitdir: context.gitdir, oid, cache: context.cache.objects })
  } catch (cause) {
    throw new GitTransportError(`cannot read commit ${oid}`, { cause, data: { oid } })
  }
  const { commit } = result
  return {
    oid,
    tree: commit.tree,
    parents: commit.parent,
    author: { name: commit.author.name, email: commit.author.email, timestamp: commit.author.timestamp },
    time: commit.committer.timestamp,
    message: commit.message,
  }
}

/** Tells whether the object database has `oid`. */
export async function hasObject(context: RepoContext, oid: string): Promise<boolean> {
  try {
    await git.readObject({ fs: context.fs, gitdir: context.gitdir, oid, format: 'deflated', cache: context.cache.objects })
    return true
  } catch {
    return false
  }
}

/** Resolves a full ref name to a commit id, or undefined when the ref does not exist. */
export async function resolveRefOid(context: RepoContext, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs: context.fs, gitdir: context.gitdir, ref })
  } catch {
    return undefined
  }
}

/**
 * Tells whether `ancestor` is `oid` or one of its ancestors. False when `ancestor` is not in the
 * object database (a rewritten history that was pruned) or the history is deeper than 100,000.
 */
export async function isAncestor(context: RepoContext, ancestor: string, oid: string): Promise<boolean> {
  if (ancestor === oid) return true
  if (!(await hasObject(context, ancestor))) return false
  try {
    return await git.isDescendent({ fs: context.fs, gitdir: context.gitdir, oid, ancestor, depth: 100_000, cache: context.cache.objects })
  } catch {
    return false
  }
}
