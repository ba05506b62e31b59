import { schemesOf } from '@planspec/core'
import { isPlainObject, keepDeclared } from './internal/outputs.js'
import type { Provider } from './types.js'

/**
 * Creates the `noop://NAME` provider: succeeds at once with `config.outputs` (undeclared keys
 * dropped, as everywhere). A non-object `config.outputs` is `InvalidConfig`. For demos and dry runs.
 *
 * @example
 * ```ts
 * await createNoopProvider().dispatch({ ...req, config: { outputs: { ok: true } }, declaredOutputs: ['ok'] })
 * // { outcome: 'succeeded', outputs: { ok: true } }
 * ```
 */
export function createNoopProvider(): Provider {
  return {
    schemes: schemesOf('noop'),
    dispatch: (req) => {
      const outputs = req.config['outputs'] ?? {}
      if (!isPlainObject(outputs)) {
        return Promise.resolve({ outcome: 'failed', reason: 'InvalidConfig', message: 'config.outputs must be an object' })
      }
      return Promise.resolve({ outcome: 'succeeded', ...keepDeclared(outputs, req.declaredOutputs) })
    },
  }
}
