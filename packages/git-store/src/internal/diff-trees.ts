import { displayName, unsafeNameReason } from './entry-name.js'
import { readRawTree, type EntryType, type RawTreeEntry } from './git-objects.js'
import type { RepoContext } from './open-repository.js'

/** Directories deeper than this are refused (PS7007): nothing legitimate nests so deep. */
export const MAX_TREE_DEPTH = 64

/** A non-directory entry met while walking: a file, a symbolic link, a submodule. */
export interface TreeFileEntry {
  readonly path: string
  readonly mode: string
  readonly oid: string
  readonly type: EntryType
}

/**
 * Receives what changed between two trees. Paths are `/`-joined, with control characters of raw
 * names escaped. A refused entry is reported once with `refuse` and, like a file, later with
 * `remove` when it disappears.
 */
export interface TreeVisitor {
  /** A file-like entry is new, or its content or mode changed. */
  file(entry: TreeFileEntry): void
  /** The entry at `path` (a file or a refused entry) is gone. */
  remove(path: string): void
  /** Everything under the directory `path` is gone. */
  removeDir(path: string): void
  /** The entry at `path` is unsafe (PS7002) or too deep (PS7007) and was not read. */
  refuse(path: string, code: 'PS7002' | 'PS7007', message: string): void
}

/** Counters of a walk. */
export interface WalkCounters {
  trees: number
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}/${displayName(name)}` : displayName(name)
}

/**
 * Reports to `visitor` how tree `after` differs from tree `before` (everything in `after` when
 * `before` is undefined: a full read). Subtrees with equal ids are skipped without being read,
 * so a one-file change reads only the trees on that file's path. Objects are read from the
 * object database only: no work tree, no link is ever followed (THREATS T10).
 */
export async function diffTrees(context: RepoContext, before: string | undefined, after: string, visitor: TreeVisitor, counters: WalkCounters, prefix = '', depth = 0): Promise<void> {
  if (before === after) return
  if (depth > MAX_TREE_DEPTH) {
    visitor.refuse(prefix, 'PS7007', `directories nest deeper than ${MAX_TREE_DEPTH} levels; ${prefix} was not read`)
    return
  }
  const [old, current] = await Promise.all([before === undefined ? Promise.resolve([]) : readRawTree(context, before), readRawTree(context, after)])
  counters.trees += before === undefined ? 1 : 2
  const oldByName = new Map<string, RawTreeEntry>()
  for (const entry of old) oldByName.set(entry.name, entry)
  for (const entry of current) {
    const previous = oldByName.get(entry.name)
    oldByName.delete(entry.name)
    if (previous && previous.mode === entry.mode && previous.oid === entry.oid) continue
    const path = join(prefix, entry.name)
    const reason = unsafeNameReason(entry.name)
    if (reason !== undefined) {
      if (previous) forget(visitor, path, previous)
      visitor.refuse(path, 'PS7002', `tree entry ${JSON.stringify(path)} ${reason}; it was not read`)
      continue
    }
    if (entry.type === 'tree') {
      if (previous && previous.type !== 'tree') visitor.remove(path)
      await diffTrees(context, previous?.type === 'tree' ? previous.oid : undefined, entry.oid, visitor, counters, path, depth + 1)
    } else {
      if (previous?.type === 'tree') visitor.removeDir(path)
      visitor.file({ path, mode: entry.mode, oid: entry.oid, type: entry.type })
    }
  }
  for (const previous of oldByName.values()) forget(visitor, join(prefix, previous.name), previous)
}

function forget(visitor: TreeVisitor, path: string, entry: RawTreeEntry): void {
  visitor.remove(path)
  if (entry.type === 'tree') visitor.removeDir(path)
}
