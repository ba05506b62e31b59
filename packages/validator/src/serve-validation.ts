import type { MessagePort } from 'node:worker_threads'
import type { Diagnostic } from '@planspec/core'
import { checkFile, type FileCheck, type FileCheckOptions, type SourceFile } from './check-file.js'
import type { ValidationLimits } from './limits.js'
import type { Resource } from './resource.js'
import { createSchemaValidator } from './schema-check.js'
import { createValidator, type ValidateOptions } from './validate.js'
import { isJsonSafe } from './json-safe.js'
import { readAtPath } from './read-source.js'

/**
 * A batch of files sent to a validation worker. `check` runs the per-file checks (`checkFile`)
 * of a set that is finished elsewhere; `alone` validates each file as a set of its own (what
 * `createValidator().validate([file])` finds), as the git store reads blob by blob.
 */
export interface CheckRequest {
  readonly id: number
  readonly mode: 'check' | 'alone'
  readonly files: readonly SourceFile[]
  readonly options: FileCheckOptions & Pick<ValidateOptions, 'outsideReferences'>
  readonly limits: ValidationLimits
}

/** One file validated as a set of its own. */
export interface AloneResult {
  readonly diagnostics: readonly Diagnostic[]
  readonly resources: readonly Resource[]
}

/**
 * A worker's message: `ready` once it serves (sent first), then one answer per batch, in the
 * batch's order: its checks or results, as JSON text when every value fits JSON (it is parsed
 * faster than a structured clone, and the parsed values take less memory), or why it failed.
 */
export type CheckReply =
  | { readonly ready: true }
  | { readonly id: number; readonly checks: readonly FileCheck[] }
  | { readonly id: number; readonly results: readonly AloneResult[] }
  | { readonly id: number; readonly json: string }
  | { readonly id: number; readonly error: string }

/**
 * Serves validation requests on a message port: the body of a validation worker thread (see
 * `validateParallel` and `createCheckPool`). It says `ready` first; each request is then answered
 * in order, its parsed documents released before the answer is sent. Compiling the schemas
 * happens once.
 *
 * @example
 * // validate-worker.ts, the script a Worker runs:
 * if (parentPort) serveValidation(parentPort)
 */
export function serveValidation(port: MessagePort): void {
  const schema = createSchemaValidator()
  const validator = createValidator({ schema })
  port.on('message', (request: CheckRequest) => {
    let reply: CheckReply
    try {
      if (request.mode === 'alone') {
        const results = request.files.map((file): AloneResult => {
          const { diagnostics, resources } = validator.validate([file], { ...request.options, limits: request.limits, keepParsed: false })
          return { diagnostics, resources }
        })
        reply = isJsonSafe(results) ? { id: request.id, json: JSON.stringify(results) } : { id: request.id, results }
      } else {
        // The reply is a copy: what is kept need not be copied off the parse before.
        const checks = request.files.map((file) => checkFile(schema, readAtPath(file, request.limits.maxFileBytes), { ...request.options, keepParsed: false, detachValues: false }, request.limits))
        reply = isJsonSafe(checks) ? { id: request.id, json: JSON.stringify(checks) } : { id: request.id, checks }
      }
    } catch (error) {
      reply = { id: request.id, error: String((error as Error)?.message ?? error) }
    }
    port.postMessage(reply)
  })
  port.postMessage({ ready: true } satisfies CheckReply)
}
