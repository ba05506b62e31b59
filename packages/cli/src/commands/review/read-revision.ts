import { posix } from 'node:path'
import { createFileSelection, parseRepositoryConfig, REPOSITORY_CONFIG_FILE as CONFIG_FILE, type SourceFile } from '@planspec/validator'
import { UsageError } from '../../io.js'
import type { RepositoryConfig } from '../../files/repository-config.js'
import { GitError, runGit, type GitCall } from './run-git.js'

/** The manifests of one revision, named by their path in the repository. */
export interface RevisionFiles {
  /** The commit the ref resolved to. */
  readonly commit: string
  readonly files: SourceFile[]
  /** The `namespace` of the `.planspec.yaml` that governs the path at this revision. */
  readonly defaultNamespace?: string
}

/** One entry of `git ls-tree -r -l -z`. */
interface TreeEntry {
  readonly mode: string
  readonly type: string
  readonly oid: string
  readonly size: number
  readonly path: string
}

const ENTRY = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t([\s\S]*)$/

/**
 * Resolves `ref` to a commit of the repository at `git.cwd`. Refs that look like options are
 * refused, and `--end-of-options` keeps git from reading the ref as one (THREATS T11).
 */
export async function resolveCommit(ref: string, git: GitCall): Promise<string> {
  if (ref === '' || ref.startsWith('-')) throw new UsageError(`invalid git ref "${ref}"`)
  const out = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], git).catch((error: GitError) => {
    throw error.exitCode === undefined ? error : new GitError(`unknown git revision "${ref}"`, error.exitCode)
  })
  return out.toString('utf8').trim()
}

/**
 * Reads the manifests under `prefix` (a directory or file path relative to the repository root,
 * `''` for the root) at `commit`, straight from the object database: `git ls-tree` lists the tree
 * and `git cat-file --batch` reads the blobs, so no working-tree path is ever opened (THREATS
 * T10). Selection follows `planspec validate`: `*.yaml|*.yml` outside `.git`, `node_modules`,
 * `.nx` and `dist`, narrowed by the `paths`/`exclude` globs of the nearest `.planspec.yaml` at
 * that commit. A blob larger than `maxFileBytes` is reported by size and not read; a symbolic
 * link is reported as unreadable, never followed.
 */
export async function readRevision(commit: string, prefix: string, maxFileBytes: number, git: GitCall): Promise<RevisionFiles> {
  const entries = parseTree(await runGit(['ls-tree', '-r', '-l', '-z', '--full-tree', commit], git))
  const byPath = new Map(entries.map((e) => [e.path, e]))
  const configEntry = ancestors(prefix).map((dir) => byPath.get(dir === '' ? CONFIG_FILE : `${dir}/${CONFIG_FILE}`)).find((e) => e !== undefined && e.type === 'blob')
  const config = configEntry === undefined ? undefined : parseConfig(configEntry.path, (await readBlobs([configEntry], git)).get(configEntry.oid))
  const configRoot = configEntry === undefined ? prefix : posix.dirname(configEntry.path).replace(/^\.$/, '')
  const selection = createFileSelection(config ?? {})

  const selected = entries.filter((e) => {
    if (!(e.path === prefix || prefix === '' || e.path.startsWith(`${prefix}/`))) return false
    if (e.type !== 'blob') return false
    // The same path rules as `planspec validate`, the agent and the Action; a file named on the
    // command line is validated whatever the globs say (but never a skipped directory's or the config).
    const rel = configRoot === '' ? e.path : posix.relative(configRoot, e.path)
    const reason = selection.skipReason(rel)
    return reason === undefined || (e.path === prefix && (reason === 'not-in-paths' || reason === 'excluded'))
  })
  const readable = selected.filter((e) => e.mode !== '120000' && e.size <= maxFileBytes)
  const blobs = await readBlobs(readable, git)
  const files = selected.map((e): SourceFile => {
    if (e.mode === '120000') return { file: e.path, error: 'symbolic link in the tree; not followed' }
    if (e.size > maxFileBytes) return { file: e.path, size: e.size }
    return { file: e.path, bytes: blobs.get(e.oid) as Buffer }
  })
  return { commit, files, ...(config?.namespace === undefined ? {} : { defaultNamespace: config.namespace }) }
}

/** Lists `dir` and each of its ancestors up to the root (`''`). */
function ancestors(dir: string): string[] {
  const out = [dir]
  for (let at = dir; at !== ''; ) {
    at = posix.dirname(at).replace(/^\.$/, '')
    out.push(at)
  }
  return out
}

/** Parses `git ls-tree -r -l -z` output. */
function parseTree(out: Buffer): TreeEntry[] {
  return out
    .toString('utf8')
    .split('\0')
    .flatMap((line) => {
      const m = ENTRY.exec(line)
      return m === null ? [] : [{ mode: m[1] as string, type: m[2] as string, oid: m[3] as string, size: m[4] === '-' ? 0 : Number(m[4]), path: m[5] as string }]
    })
}

/** Reads blobs with one `git cat-file --batch`, by object id. */
async function readBlobs(entries: readonly TreeEntry[], git: GitCall): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>()
  const oids = [...new Set(entries.map((e) => e.oid))]
  if (oids.length === 0) return blobs
  const out = await runGit(['cat-file', '--batch'], { ...git, input: oids.map((oid) => `${oid}\n`).join('') })
  let at = 0
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at)
    const header = out.subarray(at, eol < 0 ? out.length : eol).toString('utf8').split(' ')
    if (eol < 0 || header.length !== 3) throw new UsageError(`git cat-file returned an unexpected header: ${header.join(' ')}`)
    const size = Number(header[2])
    blobs.set(header[0] as string, out.subarray(eol + 1, eol + 1 + size))
    at = eol + 1 + size + 1
  }
  return blobs
}

/** Parses a `.planspec.yaml` blob with the validator's one reader, as `findRepositoryConfig` reads the file. */
function parseConfig(path: string, bytes: Buffer | undefined): RepositoryConfig {
  const read = parseRepositoryConfig(bytes ?? Buffer.alloc(0))
  if ('error' in read) throw new UsageError(`${path} is not a valid repository config: ${read.error}`)
  return read.config
}
