import git from 'isomorphic-git'
import { unsafeNameReason } from './entry-name.js'
import { readRawTree, type RawTreeEntry } from './git-objects.js'
import type { RepoContext } from './open-repository.js'

function treeMode(entry: RawTreeEntry): string {
  return entry.type === 'tree' ? '040000' : entry.mode
}

function objectType(entry: RawTreeEntry): 'tree' | 'blob' | 'commit' {
  return entry.type === 'tree' ? 'tree' : entry.type === 'gitlink' ? 'commit' : 'blob'
}

/**
 * Writes the trees of `base` with `changes` applied (path → blob id, or null to delete) and
 * returns the new root tree id. Only the trees on changed paths are rewritten; directories left
 * empty disappear. Entries with unsafe names found in a rewritten tree (a hand-made status
 * branch) are dropped rather than copied. Plumbing only: no index, no work tree.
 */
export async function updateTree(context: RepoContext, base: string | undefined, changes: ReadonlyMap<string, string | null>): Promise<string> {
  return (await apply(context, base, changes)) ?? (await git.writeTree({ fs: context.fs, gitdir: context.gitdir, tree: [] }))
}

async function apply(context: RepoContext, tree: string | undefined, changes: ReadonlyMap<string, string | null>): Promise<string | undefined> {
  const entries = tree === undefined ? [] : await readRawTree(context, tree)
  const byName = new Map<string, RawTreeEntry>()
  for (const entry of entries) if (unsafeNameReason(entry.name) === undefined) byName.set(entry.name, entry)
  const below = new Map<string, Map<string, string | null>>()
  for (const [path, oid] of changes) {
    const slash = path.indexOf('/')
    if (slash < 0) {
      if (oid === null) byName.delete(path)
      else byName.set(path, { mode: '100644', name: path, oid, type: 'blob' })
      continue
    }
    const dir = path.slice(0, slash)
    let sub = below.get(dir)
    if (!sub) below.set(dir, (sub = new Map()))
    sub.set(path.slice(slash + 1), oid)
  }
  for (const [dir, sub] of below) {
    const existing = byName.get(dir)
    const child = await apply(context, existing?.type === 'tree' ? existing.oid : undefined, sub)
    if (child === undefined) byName.delete(dir)
    else byName.set(dir, { mode: '40000', name: dir, oid: child, type: 'tree' })
  }
  if (byName.size === 0) return undefined
  const tree2 = [...byName.values()].map((e) => ({ mode: treeMode(e), path: e.name, oid: e.oid, type: objectType(e) }))
  return git.writeTree({ fs: context.fs, gitdir: context.gitdir, tree: tree2 })
}

/**
 * Finds the entry at `path` in a tree (undefined when absent or a path segment is not a tree);
 * `memo` keeps parsed trees across lookups.
 */
export async function entryAtPath(context: RepoContext, tree: string | undefined, path: string, memo?: Map<string, readonly RawTreeEntry[]>): Promise<RawTreeEntry | undefined> {
  let current = tree
  const parts = path.split('/')
  for (let i = 0; i < parts.length; i++) {
    if (current === undefined) return undefined
    let entries = memo?.get(current)
    if (!entries) {
      entries = await readRawTree(context, current)
      memo?.set(current, entries)
    }
    const entry = entries.find((e) => e.name === parts[i])
    if (!entry) return undefined
    if (i === parts.length - 1) return entry
    current = entry.type === 'tree' ? entry.oid : undefined
  }
  return undefined
}
