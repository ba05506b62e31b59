import type { MessagePort } from 'node:worker_threads'
import { checkFile, type FileCheck, type FileCheckOptions, type SourceFile } from './check-file.js'
import type { ValidationLimits } from './limits.js'
import { createSchemaValidator } from './schema-check.js'

/** A batch of files sent to a validation worker. */
export interface CheckRequest {
  readonly id: number
  readonly files: readonly SourceFile[]
  readonly options: FileCheckOptions
  readonly limits: ValidationLimits
}

/**
 * A worker's message: `ready` once it serves (sent first), then one answer per batch: the checks
 * in the batch's order, or why they failed.
 */
export type CheckReply = { readonly ready: true } | { readonly id: number; readonly checks: readonly FileCheck[] } | { readonly id: number; readonly error: string }

/**
 * Serves validation requests on a message port: the body of a validation worker thread (see
 * `validateParallel`). It says `ready` first; each request's files are then checked with
 * `checkFile` and answered in order;
 * the parsed documents are released before the answer is sent. Compiling the schemas happens
 * once, on the first request.
 *
 * @example
 * // validate-worker.ts, the script a Worker runs:
 * if (parentPort) serveValidation(parentPort)
 */
export function serveValidation(port: MessagePort): void {
  const schema = createSchemaValidator()
  port.on('message', (request: CheckRequest) => {
    let reply: CheckReply
    try {
      reply = { id: request.id, checks: request.files.map((file) => checkFile(schema, file, { ...request.options, keepParsed: false }, request.limits)) }
    } catch (error) {
      reply = { id: request.id, error: String((error as Error)?.message ?? error) }
    }
    port.postMessage(reply)
  })
  port.postMessage({ ready: true } satisfies CheckReply)
}
