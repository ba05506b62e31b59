import git from 'isomorphic-git'
import { agentProof, checkAgentProof, type AgentKeyring } from '../agent-key.js'
import { diffTrees } from './diff-trees.js'
import { EMPTY_TREE, readCommitInfo, readRawTree, type CommitInfo, type RawTreeEntry } from './git-objects.js'
import type { RepoContext } from './open-repository.js'
import { REQUESTS_DIR } from './status-layout.js'
import { entryAtPath } from './update-tree.js'

/** The trailer of a status commit that carries the agents' proof of its agent-owned tree. */
export const STATUS_PROOF_TRAILER = 'PlanSpec-Agent-Proof'
/** The trailer of a request commit an agent wrote for someone (a GitHub comment command). */
export const REQUEST_PROOF_TRAILER = 'PlanSpec-Request-Proof'

/** How far back the newest proven commit is looked for; beyond, nothing on the branch is trusted. */
const MAX_UNPROVEN_COMMITS = 10_000

/** Returns the value of the last `name: value` trailer line of a commit message. */
export function trailerOf(message: string, name: string): string | undefined {
  let value: string | undefined
  for (const line of message.split('\n')) if (line.startsWith(`${name}: `)) value = line.slice(name.length + 2)
  return value
}

/** Appends a trailer to a message, in the trailer paragraph when the message ends with one. */
export function withTrailer(message: string, name: string, value: string): string {
  const text = message.endsWith('\n') ? message : `${message}\n`
  const paragraphs = text.trimEnd().split('\n\n')
  const last = paragraphs[paragraphs.length - 1] ?? ''
  const trailers = paragraphs.length > 1 && last.split('\n').every((line) => /^[A-Za-z-]+: /.test(line))
  return `${text}${trailers ? '' : '\n'}${name}: ${value}\n`
}

/** The root entries the agents own: everything but the append-only `requests/` tree. */
async function agentEntries(context: RepoContext, tree: string | undefined): Promise<readonly RawTreeEntry[]> {
  if (tree === undefined) return []
  return (await readRawTree(context, tree)).filter((e) => e.name !== REQUESTS_DIR)
}

/**
 * The text a status proof authenticates: the branch, the commit's parents and every root entry
 * but `requests` (mode, name, id; subtree ids are content hashes, so this covers every status,
 * lease and agent bookkeeping file at its path). Binding the parents means a proven tree cannot
 * be replayed on top of a later head (no rollback by a new commit).
 */
function proofContent(branch: string, parents: readonly string[], entries: readonly RawTreeEntry[]): string {
  return JSON.stringify({ v: 1, kind: 'status', branch, parents, entries: entries.map((e) => [e.mode, e.name, e.oid]) })
}

/** Returns the proof trailer value for a commit with `parents` and root tree `tree`. */
export async function proveStatusTree(context: RepoContext, keyring: AgentKeyring, branch: string, parents: readonly string[], tree: string): Promise<string> {
  return agentProof(keyring, proofContent(branch, parents, await agentEntries(context, tree)))
}

/** The text a request proof authenticates: the branch, parents and each request file added (path and blob). */
export function requestProofContent(branch: string, parents: readonly string[], files: readonly (readonly [string, string])[]): string {
  return JSON.stringify({ v: 1, kind: 'request', branch, parents, files: [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1)) })
}

/** Tells whether a commit carries a valid agent proof for its own agent-owned tree (cached). */
export async function isProven(context: RepoContext, keyring: AgentKeyring, branch: string, commit: CommitInfo): Promise<boolean> {
  const proof = trailerOf(commit.message, STATUS_PROOF_TRAILER)
  if (proof === undefined) return false
  const key = `${keyring.accepted.map((k) => k.id).join(',')}:${branch}:${commit.oid}`
  const known = context.cache.proofs.get(key)
  if (known !== undefined) return known
  const valid = checkAgentProof(keyring, proofContent(branch, commit.parents, await agentEntries(context, commit.tree)), proof)
  context.cache.proofs.set(key, valid)
  if (context.cache.proofs.size > context.cache.maxBlobs) context.cache.proofs.delete(context.cache.proofs.keys().next().value as string)
  return valid
}

/** What the agents may trust on a status branch. */
export interface AgentView {
  /** The newest first-parent ancestor of the head (or the head) that an agent proved; undefined: none. */
  readonly verified: string | undefined
  /** The tree to act on: the verified commit's agent-owned entries plus the head's `requests`. */
  readonly tree: string | undefined
  /** The head's own tree. */
  readonly headTree: string | undefined
  /** The commits after `verified` up to the head, oldest first (people's request commits, or tampering). */
  readonly after: readonly CommitInfo[]
}

/**
 * Finds what the agents can trust at `head`: walks the first-parent history back to the newest
 * commit with a valid agent proof, and composes the tree to act on from that commit's agent-owned
 * entries and the head's append-only `requests` tree. Anything else that changed since (a status
 * file edited by hand, a forged lease, a replayed older version) is left out: it differs from
 * the head's tree only where someone who is not an agent wrote.
 */
export async function agentView(context: RepoContext, keyring: AgentKeyring, branch: string, head: string | undefined): Promise<AgentView> {
  if (head === undefined) return { verified: undefined, tree: undefined, headTree: undefined, after: [] }
  const after: CommitInfo[] = []
  let verified: CommitInfo | undefined
  let headTree: string | undefined
  for (let oid: string | undefined = head; oid !== undefined && after.length < MAX_UNPROVEN_COMMITS; ) {
    const commit = await readCommitInfo(context, oid)
    headTree ??= commit.tree
    if (await isProven(context, keyring, branch, commit)) {
      verified = commit
      break
    }
    after.push(commit)
    oid = commit.parents[0]
  }
  after.reverse()
  const tree = await composeTree(context, verified?.tree, headTree)
  return { verified: verified?.oid, tree, headTree, after }
}

/** The verified agent-owned entries with the head's `requests` tree; the head's tree itself when they agree. */
async function composeTree(context: RepoContext, agentTree: string | undefined, headTree: string | undefined): Promise<string | undefined> {
  const ours = await agentEntries(context, agentTree)
  const heads = headTree === undefined ? [] : await readRawTree(context, headTree)
  const requests = heads.find((e) => e.name === REQUESTS_DIR && e.type === 'tree')
  const theirs = heads.filter((e) => e.name !== REQUESTS_DIR)
  const same = theirs.length === ours.length && theirs.every((e, i) => e.name === ours[i]!.name && e.oid === ours[i]!.oid && e.mode === ours[i]!.mode)
  if (same && (requests !== undefined || !heads.some((e) => e.name === REQUESTS_DIR))) return headTree
  const entries = [...ours, ...(requests ? [requests] : [])]
  if (entries.length === 0) return undefined
  const tree = entries.map((e) => ({ mode: e.type === 'tree' ? '040000' : e.mode, path: e.name, oid: e.oid, type: e.type === 'tree' ? ('tree' as const) : e.type === 'gitlink' ? ('commit' as const) : ('blob' as const) }))
  return git.writeTree({ fs: context.fs, gitdir: context.gitdir, tree })
}

/** A status-branch path that someone who is not an agent changed. */
export interface TamperedPath {
  readonly path: string
  /** The first commit after the verified one that changed it. */
  readonly commit: string
}

/**
 * Lists the paths where the head's tree differs from the view's (outside `requests/`), each with
 * the first commit after the verified one that changed it.
 */
export async function tamperedPaths(context: RepoContext, view: AgentView): Promise<TamperedPath[]> {
  if (view.headTree === undefined || view.tree === view.headTree) return []
  const paths = new Set<string>()
  const note = (path: string): void => {
    if (path !== REQUESTS_DIR && !path.startsWith(`${REQUESTS_DIR}/`)) paths.add(path)
  }
  await diffTrees(context, view.tree ?? EMPTY_TREE, view.headTree, { file: (e) => note(e.path), remove: note, removeDir: note, refuse: (path) => note(path) }, { trees: 0 })
  const found: TamperedPath[] = []
  for (const path of [...paths].sort()) {
    const original = await entryAtPath(context, view.tree, path)
    let commit = view.after[view.after.length - 1]?.oid ?? ''
    for (const candidate of view.after) {
      const entry = await entryAtPath(context, candidate.tree, path)
      if (entry?.oid !== original?.oid || entry?.mode !== original?.mode) {
        commit = candidate.oid
        break
      }
    }
    found.push({ path, commit })
  }
  return found
}
