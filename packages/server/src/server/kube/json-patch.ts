import type { StoredResource } from '@planspec/core'
import jsonPatch from 'fast-json-patch'
import { ApiError } from '../error-catalog.js'
import type { KindEntry } from '../kinds.js'

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])
const MAX_OPERATIONS = 10_000

/**
 * Applies a JSON patch (RFC 6902, `test` included) to a copy of `stored` with fast-json-patch
 * (prototype keys refused). A body that is not an array of operations is 400; an operation that
 * cannot apply (a failed `test`, a missing path) is 422 Invalid, as Kubernetes answers.
 */
export function applyJsonPatch(entry: KindEntry, name: string, stored: StoredResource, patch: unknown): unknown {
  if (!Array.isArray(patch) || patch.length > MAX_OPERATIONS) throw new ApiError('BadRequest', `a JSON patch must be an array of at most ${MAX_OPERATIONS} operations`)
  for (const [index, op] of patch.entries()) {
    const operation = op as { op?: unknown; path?: unknown } | null
    if (operation === null || typeof operation !== 'object' || typeof operation.op !== 'string' || !OPS.has(operation.op) || typeof operation.path !== 'string') {
      throw new ApiError('BadRequest', `JSON patch operation ${index} must have an op (add, remove, replace, move, copy, test) and a path`)
    }
  }
  try {
    return jsonPatch.applyPatch(structuredClone(stored), patch as jsonPatch.Operation[], true, true, true).newDocument
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : 'the patch could not be applied'
    throw new ApiError('Invalid', `${entry.kind} ${JSON.stringify(name)} is invalid: the JSON patch could not be applied: ${message}`, { name, group: 'planspec.io', kind: entry.kind, causes: [{ reason: 'FieldValueInvalid', message }] })
  }
}
