import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { VALIDATION_WORKER_URL } from '@planspec/validator'

/**
 * Returns the script validation workers run: the bundled one next to the bundled command
 * (`dist/bundle/validate-worker.mjs`, built by the `bundle` target), else the validator package's own
 * (when the command runs from its modules, as in tests).
 */
export function validationWorkerUrl(): URL {
  // Every chunk of the bundle sits in dist/bundle/, next to the worker's entry.
  const bundled = new URL('./validate-worker.mjs', import.meta.url)
  return existsSync(fileURLToPath(bundled)) ? bundled : VALIDATION_WORKER_URL
}
