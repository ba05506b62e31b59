import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { createFileSelection, isPlanSpecDocument, readAtPath, SKIPPED_DIRECTORIES, type SourceInput } from '@planspec/validator'
import { UsageError, type CommandIO } from '../io.js'
import { findRepositoryConfig } from './repository-config.js'

/** The files to validate (read on demand), and the repository default namespace that applies to them. */
export interface CollectedFiles {
  readonly files: SourceInput[]
  readonly defaultNamespace?: string
  /** YAML files found in directories that are not PlanSpec manifests (no `planspec.io/` apiVersion), skipped. */
  readonly skipped: string[]
}

/** How `collectFiles` treats the files it finds. */
export interface CollectOptions {
  /** Keep YAML files that are not PlanSpec documents (`--strict`). */
  readonly strict?: boolean
  /**
   * Leave the sniff to the validator: a file found in a directory is read once, when it is
   * checked (in whichever thread checks it), and skipped then (`planSpecOnly`; listed in the
   * result's `skipped`) instead of being opened here first.
   */
  readonly sniffWhenRead?: boolean
}

/** The file name of standard input, unless the command line names it (`--stdin-filename`). */
export const STDIN_FILE = '-'

const YAML = /\.ya?ml$/i
const SNIFF_HEAD_BYTES = 64 * 1024
// One buffer for every sniff (they run one at a time, synchronously): a fresh zeroed 64 KiB per
// file cost more CPU than reading the file.
const sniffHead = Buffer.allocUnsafe(SNIFF_HEAD_BYTES)

/**
 * Turns command-line paths into source files: a file as given, a directory walked recursively
 * with the validator's file selection (the agent's and the Action's: `*.yaml|*.yml` matching the
 * `paths`/`exclude` globs of its `.planspec.yaml`, relative to that file's folder), and `-` for
 * stdin. Files are only looked up here and read when the validator gets to them, so a large tree
 * is never held in memory at once; files larger than `maxFileBytes` are reported by size and
 * never read; unreadable files become entries with an `error`. Symbolic links are followed only when they resolve inside the
 * directory being walked (THREATS T10); a path that does not exist is a usage error. Standard
 * input is named `stdinName` (default `-`).
 *
 * Which files are manifests follows the agent and the Action: a file named on the command line
 * always is; in a directory, with `paths` in `.planspec.yaml`, every file they match is; without,
 * only YAML files that name a `planspec.io/` apiVersion (the validator's `isPlanSpecDocument`), and the others
 * (docker-compose, Kubernetes, CI files) are skipped and listed in `skipped`, unless `strict`.
 */
export async function collectFiles(paths: readonly string[], io: CommandIO, maxFileBytes: number, stdinName: string = STDIN_FILE, options: CollectOptions = {}): Promise<CollectedFiles> {
  const skipped: string[] = []
  const files: SourceInput[] = []
  let defaultNamespace: string | undefined
  const seen = new Set<string>()
  for (const arg of paths.length ? paths : ['.']) {
    if (arg === '-') {
      files.push({ file: stdinName, ...(await readStream(io.stdin, maxFileBytes)) })
      continue
    }
    const absolute = resolve(io.cwd, arg)
    const info = attempt(() => statSync(absolute))
    if (!info) {
      // A link whose target is gone exists but cannot be read: an unreadable file (PS1010), not a typo.
      if (attempt(() => lstatSync(absolute).isSymbolicLink())) {
        files.push({ file: displayName(io.cwd, absolute), error: 'ENOENT: broken symbolic link' })
        continue
      }
      throw new UsageError(`path not found: ${arg}`)
    }
    const repository = await findRepositoryConfig(info.isDirectory() ? absolute : resolve(absolute, '..'))
    defaultNamespace ??= repository?.config.namespace
    if (info.isFile()) {
      await addFile(files, seen, absolute, displayName(io.cwd, absolute), maxFileBytes)
      continue
    }
    const root = realpathSync(absolute)
    const base = repository?.root ?? absolute
    const selection = createFileSelection(repository?.config ?? {})
    // The walk gives each file's path below `absolute`; the selection reads it under the walked
    // directory's own path from `base` (which is `absolute` or above it).
    const fromBase = slashed(relative(base, absolute))
    for (const { path: file, below, link } of walk(absolute, root, '')) {
      if (selection.skipReason(under(fromBase, below)) !== undefined) continue
      const shown = displayName(io.cwd, file)
      // Without `paths`, a YAML file that is not a PlanSpec document (docker-compose, Kubernetes) is
      // skipped and counted, as the agent and the Action skip it; --strict validates it anyway.
      const sniffs = selection.sniffs && !options.strict
      if (sniffs && options.sniffWhenRead) {
        await addFile(files, seen, file, shown, maxFileBytes, undefined, true)
        continue
      }
      const sniff = sniffs ? sniffsAsPlanSpec(file, maxFileBytes) : undefined
      if (sniff?.planSpec === false) {
        skipped.push(shown)
        continue
      }
      // The sniff saw the size of a plain file already: no second look.
      await addFile(files, seen, file, shown, maxFileBytes, link ? undefined : sniff?.size)
    }
  }
  return { files, defaultNamespace, skipped }
}

/**
 * Whether a file's first 64 KiB name a planspec.io apiVersion (the validator's one sniff), with
 * the file's size when it was seen; an unreadable file is kept, to be reported.
 */
function sniffsAsPlanSpec(absolute: string, maxFileBytes: number): { readonly planSpec: boolean; readonly size?: number } {
  let fd: number | undefined
  try {
    fd = openSync(absolute, 'r')
    const size = fstatSync(fd).size
    // An oversize file is reported by its size and never read, PlanSpec or not.
    if (size > maxFileBytes) return { planSpec: true, size }
    return { planSpec: isPlanSpecDocument(sniffHead.subarray(0, readSync(fd, sniffHead, 0, SNIFF_HEAD_BYTES, 0))), size }
  } catch {
    return { planSpec: true }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

// The tree is walked and files are read with synchronous calls: a command-line run has nothing
// else to do meanwhile, and a promise per file costs more CPU than the read itself.
function* walk(dir: string, root: string, below: string): Generator<{ readonly path: string; readonly below: string; readonly link: boolean }> {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const full = join(dir, entry.name)
    const path = below === '' ? entry.name : `${below}/${entry.name}`
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) yield* walk(full, root, path)
    } else if (entry.isSymbolicLink()) {
      // A link is followed only to a file inside the walked directory; directories are never
      // followed (no loops, no escapes).
      const target = attempt(() => realpathSync(full))
      const info = target ? attempt(() => statSync(target)) : undefined
      if (target && info?.isFile() && (target + sep).startsWith(root + sep) && YAML.test(entry.name)) yield { path: full, below: path, link: true }
    } else if (entry.isFile() && YAML.test(entry.name)) yield { path: full, below: path, link: false }
  }
}

async function addFile(files: SourceInput[], seen: Set<string>, absolute: string, file: string, maxFileBytes: number, knownSize?: number, planSpecOnly = false): Promise<void> {
  if (seen.has(absolute)) return
  seen.add(absolute)
  try {
    const size = knownSize ?? sizeOf(absolute)
    if (size > maxFileBytes) {
      files.push({ file, size })
      return
    }
    files.push({
      file,
      size,
      absolutePath: absolute,
      ...(planSpecOnly ? { planSpecOnly } : {}),
      // The size is checked again on the opened file: a file that grew past the limit is not read.
      read: async () => readAtPath({ file, absolutePath: absolute }, maxFileBytes),
    })
  } catch (error) {
    files.push(failed(file, error))
  }
}

/** A file that could not be looked at or read, with the reason (reported as PS1010). */
function failed(file: string, error: unknown): { file: string; error: string } {
  return { file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message }
}

/** The size of a file, or of the file a link names. */
function sizeOf(absolute: string): number {
  const link = lstatSync(absolute)
  return (link.isSymbolicLink() ? statSync(absolute) : link).size
}

/** Runs a file-system call; undefined when it fails. */
function attempt<T>(call: () => T): T | undefined {
  try {
    return call()
  } catch {
    return undefined
  }
}

/** A relative path with `/` between its segments. */
function slashed(path: string): string {
  return path.split(sep).join('/')
}

/** The path `below` (with `/`) under the directory `dir` (relative, with `/`; empty for the same directory). */
function under(dir: string, below: string): string {
  return dir === '' ? below : `${dir}/${below}`
}

function displayName(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute)
  return slashed(rel.startsWith('..') ? absolute : rel)
}

async function readStream(stream: NodeJS.ReadableStream, maxBytes: number): Promise<{ bytes: Uint8Array } | { size: number }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    size += buffer.byteLength
    // Past the limit, stop reading and keep only the size: the validator reports the oversize input.
    if (size > maxBytes) return { size }
    chunks.push(buffer)
  }
  return { bytes: Buffer.concat(chunks) }
}
