import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import picomatch from 'picomatch'
import { looksLikePlanSpec } from '@planspec/git-store'
import type { SourceFile } from '@planspec/validator'
import { UsageError, type CommandIO } from '../io.js'
import { CONFIG_FILE, findRepositoryConfig } from './repository-config.js'

/** The files to validate, and the repository default namespace that applies to them. */
export interface CollectedFiles {
  readonly files: SourceFile[]
  readonly defaultNamespace?: string
  /** YAML files found in directories that are not PlanSpec manifests (no `planspec.io/` apiVersion), skipped. */
  readonly skipped: string[]
}

/** The file name of standard input, unless the command line names it (`--stdin-filename`). */
export const STDIN_FILE = '-'

const SKIP_DIRS = new Set(['.git', 'node_modules', '.nx', 'dist'])
const YAML = /\.ya?ml$/i

/**
 * Turns command-line paths into source files: a file as given, a directory walked recursively
 * for `*.yaml|*.yml` (restricted to the `paths` globs of its `.planspec.yaml`), and `-` for
 * stdin. Files larger than `maxFileBytes` are reported by size and never read; unreadable files
 * become entries with an `error`. Symbolic links are followed only when they resolve inside the
 * directory being walked (THREATS T10); a path that does not exist is a usage error. Standard
 * input is named `stdinName` (default `-`).
 *
 * Which files are manifests follows the agent and the Action: a file named on the command line
 * always is; in a directory, with `paths` in `.planspec.yaml`, every file they match is; without,
 * only YAML files that name a `planspec.io/` apiVersion (`looksLikePlanSpec`), and the others
 * (docker-compose, Kubernetes, CI files) are skipped and listed in `skipped`, unless `strict`.
 */
export async function collectFiles(paths: readonly string[], io: CommandIO, maxFileBytes: number, stdinName: string = STDIN_FILE, options: { readonly strict?: boolean } = {}): Promise<CollectedFiles> {
  const skipped: string[] = []
  const files: SourceFile[] = []
  let defaultNamespace: string | undefined
  const seen = new Set<string>()
  for (const arg of paths.length ? paths : ['.']) {
    if (arg === '-') {
      files.push({ file: stdinName, ...(await readStream(io.stdin, maxFileBytes)) })
      continue
    }
    const absolute = resolve(io.cwd, arg)
    const info = await stat(absolute).catch(() => undefined)
    if (!info) {
      // A link whose target is gone exists but cannot be read: an unreadable file (PS1010), not a typo.
      if (await lstat(absolute).then((l) => l.isSymbolicLink(), () => false)) {
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
    const root = await realpath(absolute)
    const base = repository?.root ?? absolute
    const explicitPaths = Boolean(repository?.config.paths?.length)
    const include = picomatch(explicitPaths ? [...repository!.config.paths!] : ['**/*.yaml', '**/*.yml'], { dot: false })
    const exclude = repository?.config.exclude?.length ? picomatch([...repository.config.exclude]) : () => false
    for await (const file of walk(absolute, root)) {
      if (file.endsWith(sep + CONFIG_FILE)) continue
      const rel = relative(base, file).split(sep).join('/')
      if (!include(rel) || exclude(rel)) continue
      const before = files.length
      await addFile(files, seen, file, displayName(io.cwd, file), maxFileBytes)
      const added = files[before]
      if (!explicitPaths && !options.strict && added !== undefined && 'bytes' in added && added.bytes !== undefined && !looksLikePlanSpec(added.bytes)) {
        files.pop()
        skipped.push(added.file)
      }
    }
  }
  return { files, defaultNamespace, skipped }
}

async function* walk(dir: string, root: string): AsyncGenerator<string> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* walk(full, root)
    } else if (entry.isSymbolicLink()) {
      // A link is followed only to a file inside the walked directory; directories are never
      // followed (no loops, no escapes).
      const target = await realpath(full).catch(() => undefined)
      const info = target ? await stat(target).catch(() => undefined) : undefined
      if (target && info?.isFile() && (target + sep).startsWith(root + sep) && YAML.test(entry.name)) yield full
    } else if (entry.isFile() && YAML.test(entry.name)) yield full
  }
}

async function addFile(files: SourceFile[], seen: Set<string>, absolute: string, file: string, maxFileBytes: number): Promise<void> {
  if (seen.has(absolute)) return
  seen.add(absolute)
  try {
    const info = await lstat(absolute).then((l) => (l.isSymbolicLink() ? stat(absolute) : l))
    if (info.size > maxFileBytes) {
      files.push({ file, size: info.size })
      return
    }
    files.push({ file, bytes: await readFile(absolute) })
  } catch (error) {
    files.push({ file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message })
  }
}

function displayName(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute)
  return (rel.startsWith('..') ? absolute : rel).split(sep).join('/')
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
