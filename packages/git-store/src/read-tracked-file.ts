import type { Diagnostic } from '@planspec/core'
import { gitDiagnostic } from './diagnostic-codes.js'
import { decodeText } from '@planspec/validator'
import { readBlobBytes, readCommitInfo } from './internal/git-objects.js'
import { openRepository } from './internal/open-repository.js'
import { entryAtPath } from './internal/update-tree.js'
import type { GitRepository } from './types.js'

/** Options of {@link readTrackedFile}. */
export interface ReadTrackedFileOptions extends GitRepository {
  /** The commit to read from (already fetched: `readDesired(...).revision`). */
  readonly revision: string
  /** The file's path in the tree, `/`-separated. */
  readonly path: string
  /** Larger files are refused; 256 KiB by default. */
  readonly maxBytes?: number
}

/** What {@link readTrackedFile} found. */
export interface TrackedFile {
  /** The file's text; undefined when it is absent or refused. */
  readonly text: string | undefined
  /** The blob id (cache key of whatever is derived from the text). */
  readonly blob: string | undefined
  /** Why the file was refused: PS7001 (a link), PS7003 (not a regular file), PS7008 (too large or not UTF-8). */
  readonly diagnostic?: Diagnostic
}

/**
 * Reads one file of the tracked branch at `revision` from the object database (never a work
 * tree): a configuration file such as `.planspec/allowed-signers`. A link, a submodule, a
 * directory, a file over `maxBytes` or one that is not UTF-8 is refused with a diagnostic and no
 * text (THREATS T7, T10). An absent file gives no text and no diagnostic.
 *
 * @example
 * const { text } = await readTrackedFile({ fs, dir, revision: desired.revision, path: '.planspec/allowed-signers' })
 */
export async function readTrackedFile(options: ReadTrackedFileOptions): Promise<TrackedFile> {
  const context = await openRepository(options)
  const { tree } = await readCommitInfo(context, options.revision)
  const entry = await entryAtPath(context, tree, options.path)
  if (entry === undefined) return { text: undefined, blob: undefined }
  if (entry.type === 'symlink') return { text: undefined, blob: entry.oid, diagnostic: gitDiagnostic('PS7001', options.path, `${options.path} is a symbolic link; it was not read`) }
  if (entry.type !== 'blob') return { text: undefined, blob: entry.oid, diagnostic: gitDiagnostic('PS7003', options.path, `${options.path} is not a regular file (mode ${entry.mode}); it was not read`) }
  const bytes = await readBlobBytes(context, entry.oid)
  const max = options.maxBytes ?? 256 * 1024
  if (bytes.byteLength > max) return { text: undefined, blob: entry.oid, diagnostic: gitDiagnostic('PS7008', options.path, `${options.path} is ${bytes.byteLength} bytes, more than the ${max}-byte limit; it was not read`) }
  const text = decodeText(bytes)
  if (text === undefined) return { text: undefined, blob: entry.oid, diagnostic: gitDiagnostic('PS7008', options.path, `${options.path} is not UTF-8 text; it was not read`) }
  return { text, blob: entry.oid }
}
