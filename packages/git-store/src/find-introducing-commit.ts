import { DEFAULT_LIMITS, decodeText, parseYamlFile } from '@planspec/validator'
import { readBlobBytes, readCommitInfo, type CommitInfo } from './internal/git-objects.js'
import { openRepository, type RepoContext } from './internal/open-repository.js'
import { entryAtPath } from './internal/update-tree.js'
import { readCommitSignature } from './internal/write-signed-commit.js'
import type { GitRepository } from './types.js'

/** Options of {@link findIntroducingCommit}. */
export interface FindIntroducingCommitOptions extends GitRepository {
  /** A tracked-branch commit where the resource exists (already fetched). */
  readonly revision: string
  /** The resource, and the file that holds it at `revision`. */
  readonly resource: { readonly kind: string; readonly namespace: string; readonly name: string; readonly file: string }
  /** The namespace of documents that name none (`.planspec.yaml`'s, else `default`). */
  readonly defaultNamespace?: string
  /** Most commits walked; 10,000 by default. */
  readonly maxCommits?: number
}

/** The commit that added a resource, with what identifies its author. */
export interface IntroducingCommit {
  readonly commit: string
  readonly author: { readonly name: string; readonly email: string; readonly timestamp: number }
  /** Its signature and the signed bytes, when it is signed. */
  readonly signed?: { readonly payload: Uint8Array; readonly signature: string }
  /** True when the walk stopped at `maxCommits`: the commit is the oldest reached, not proven the first. */
  readonly truncated: boolean
}

/**
 * Finds the commit that added a resource to the tracked branch (DECISIONS §9, separation of
 * duties): from `revision`, walks back to a parent that still holds the resource in the same file
 * (the same blob, or a version of the file that defines it), and stops at the commit none of whose
 * parents holds it. Through a merge it follows the parent that has the resource, so a resource
 * added on a merged branch is attributed to the commit on that branch, never to the merge; later
 * commits (edits, unrelated changes, merges) never change the answer. A resource moved from
 * another file is attributed to the commit that moved it.
 *
 * @example
 * const { commit, author } = await findIntroducingCommit({ fs, dir, revision, resource: { kind: 'Execution', namespace: 'default', name: 'release-1', file: 'executions/release-1.yaml' } })
 */
export async function findIntroducingCommit(options: FindIntroducingCommitOptions): Promise<IntroducingCommit> {
  const context = await openRepository(options)
  const { resource } = options
  const holds = new Map<string, boolean>()
  const defines = async (oid: string): Promise<boolean> => {
    let known = holds.get(oid)
    if (known === undefined) holds.set(oid, (known = definesResource(await readBlobBytes(context, oid), resource, options.defaultNamespace ?? 'default')))
    return known
  }
  let commit = await readCommitInfo(context, options.revision)
  const max = options.maxCommits ?? 10_000
  for (let walked = 0; ; walked++) {
    if (walked >= max) return introduced(context, commit, true)
    const here = await entryAtPath(context, commit.tree, resource.file)
    let next: CommitInfo | undefined
    for (const parent of commit.parents) {
      const info = await readCommitInfo(context, parent)
      const there = await entryAtPath(context, info.tree, resource.file)
      if (there?.type !== 'blob') continue
      if ((here !== undefined && there.oid === here.oid) || (await defines(there.oid))) {
        next = info
        break
      }
    }
    if (next === undefined) return introduced(context, commit, false)
    commit = next
  }
}

async function introduced(context: RepoContext, commit: CommitInfo, truncated: boolean): Promise<IntroducingCommit> {
  const { payload, signature } = await readCommitSignature(context, commit.oid)
  return { commit: commit.oid, author: commit.author, truncated, ...(signature === undefined ? {} : { signed: { payload, signature } }) }
}

/** Tells whether a manifest file defines the resource (any of its documents). */
function definesResource(bytes: Uint8Array, resource: { readonly kind: string; readonly namespace: string; readonly name: string }, defaultNamespace: string): boolean {
  const text = decodeText(bytes)
  if (text === undefined) return false
  const parsed = parseYamlFile('history.yaml', text, DEFAULT_LIMITS)
  return parsed.documents.some(({ value }) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
    const doc = value as Record<string, unknown>
    const metadata = (doc.metadata ?? {}) as Record<string, unknown>
    return doc.kind === resource.kind && metadata.name === resource.name && (typeof metadata.namespace === 'string' ? metadata.namespace : defaultNamespace) === resource.namespace
  })
}
