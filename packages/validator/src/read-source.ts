import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import type { SourceFile } from './check-file.js'

/**
 * A file read only when the validator gets to it, so that a large set is never held in memory at
 * once. `read` resolves with the file's content (or its `error`); `size`, when known, is used to
 * decide whether the set is worth splitting across threads. With `absolutePath` (where `read`
 * reads), a worker thread reads the file itself instead of receiving its bytes; `planSpecOnly`
 * is passed on to the source (see `SourceFile`).
 */
export interface LazySource {
  readonly file: string
  readonly size?: number
  readonly absolutePath?: string
  readonly planSpecOnly?: boolean
  read(): Promise<SourceFile>
}

/** A file given with its content, or read on demand. */
export type SourceInput = SourceFile | LazySource

/**
 * Returns a source's content: a given file as it is, a lazy one read now, under the name the
 * input gives. A read that throws becomes a source with its `error` (reported as PS1010).
 *
 * @example
 * const files = await Promise.all(inputs.map(readSource))
 */
export async function readSource(input: SourceInput): Promise<SourceFile> {
  if (!('read' in input)) return readAtPath(input)
  const planSpecOnly = input.planSpecOnly === true ? { planSpecOnly: true } : {}
  try {
    return { ...(await input.read()), file: input.file, ...planSpecOnly }
  } catch (error) {
    return { file: input.file, error: errorText(error), ...planSpecOnly }
  }
}

/**
 * Returns a source given by its `absolutePath` alone with its bytes read from there (or the
 * `error` of the read, as `readSource` reports it); any other source as it is. A file larger than
 * `maxBytes` is not read: it comes back with its `size` only (the validator reports it, PS1006).
 * The size is the one the opened file has: a file that grew past the limit after it was listed
 * is not read either.
 *
 * @example
 * readAtPath({ file: 'plans/a.yaml', absolutePath: '/repo/plans/a.yaml' }, 1 << 20) // { file, absolutePath, size, bytes }
 */
export function readAtPath(source: SourceFile, maxBytes = Number.POSITIVE_INFINITY): SourceFile {
  if (source.absolutePath === undefined || source.text !== undefined || source.bytes !== undefined || source.error !== undefined) return source
  if (source.size !== undefined && source.size > maxBytes) return source
  let fd: number | undefined
  try {
    fd = openSync(source.absolutePath, 'r')
    const size = fstatSync(fd).size
    if (size > maxBytes) return { ...source, size }
    const bytes = Buffer.allocUnsafeSlow(size)
    let read = 0
    while (read < size) {
      const got = readSync(fd, bytes, read, size - read, read)
      if (got === 0) break // the file shrank since it was opened
      read += got
    }
    return { ...source, size: read, bytes: read === size ? bytes : bytes.subarray(0, read) }
  } catch (error) {
    return { ...source, error: errorText(error) }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function errorText(error: unknown): string {
  return String((error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? error)
}
