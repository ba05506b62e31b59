import { attemptDir, dispatchCommand, reattachCommand, type ExecProviderDeps } from './exec-provider.js'
import { rm } from 'node:fs/promises'
import type { Provider } from './types.js'

/**
 * Creates the `human://QUEUE` and `agent://NAME` provider: the attempt is claimable work, so
 * dispatch answers `pending` with `claimable: true` and the runner completes it from claims
 * (DECISIONS §4). An `agent://` target whose config has `command` is instead run exactly like
 * `exec://` (same allow-list, env, caps and failure reasons).
 *
 * @example
 * ```ts
 * await createClaimableProvider(deps).dispatch({ ...req, provider: 'human://reviewers' })
 * // { outcome: 'pending', claimable: true }
 * ```
 */
export function createClaimableProvider(deps: ExecProviderDeps): Provider {
  return {
    schemes: ['human', 'agent'],
    dispatch: (req) => {
      if (/^agent:/i.test(req.provider) && req.config['command'] !== undefined) return dispatchCommand(deps, req)
      return Promise.resolve({ outcome: 'pending', claimable: true })
    },
    // A local agent command is supervised like exec://; claimable work has nothing running to find.
    reattach: (req) => (/^agent:/i.test(req.provider) && req.config['command'] !== undefined ? reattachCommand(deps, req) : Promise.resolve({ state: 'not-started' })),
    release: (runId) => rm(attemptDir(deps, runId), { recursive: true, force: true }),
  }
}
