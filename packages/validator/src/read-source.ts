import { readFileSync } from 'node:fs'
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
 * `error` of the read, as `readSource` reports it); any other source as it is.
 *
 * @example
 * readAtPath({ file: 'plans/a.yaml', absolutePath: '/repo/plans/a.yaml' }) // { file, absolutePath, bytes }
 */
export function readAtPath(source: SourceFile): SourceFile {
  if (source.absolutePath === undefined || source.text !== undefined || source.bytes !== undefined || source.error !== undefined) return source
  try {
    return { ...source, bytes: readFileSync(source.absolutePath) }
  } catch (error) {
    return { ...source, error: errorText(error) }
  }
}

function errorText(error: unknown): string {
  return String((error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? error)
}
