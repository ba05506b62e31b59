import type { DesiredState } from '@planspec/git-store'
import type { GitAgentRepo, StatusSnapshot } from '@planspec/agent'

/** What the agent read in its latest round: the tracked branch and the status branch. */
export interface AgentSnapshot {
  /** Undefined until the agent's first round read the tracked branch. */
  readonly desired?: DesiredState
  readonly status?: StatusSnapshot
}

/** A repository handle for the agent, and what the agent last read through it. */
export interface ObservedAgentRepo {
  /** Pass this to `createAgent`: it behaves exactly like the wrapped repository. */
  readonly repo: GitAgentRepo
  /** The snapshots of the latest `readDesired` and `readStatus` calls. */
  latest(): AgentSnapshot
}

/**
 * Wraps the agent's repository so that the composition root can see what the agent read in its
 * latest round, without a second clone or fetch: the GitHub comment commands resolve Gates and
 * Executions from it. Every method keeps its contract (errors included); reads only remember
 * their result. The snapshots may be one round old, which is what the agent decides on too.
 *
 * @example
 * const observed = observeAgentRepo(repo)
 * const agent = createAgent({ repo: observed.repo, ... })
 * observed.latest().desired?.resources.get('gate/default/release')
 */
export function observeAgentRepo(repo: GitAgentRepo): ObservedAgentRepo {
  let desired: DesiredState | undefined
  let status: StatusSnapshot | undefined
  const observed: GitAgentRepo = {
    ...repo,
    async readDesired() {
      const snapshot = await repo.readDesired()
      desired = snapshot
      return snapshot
    },
    async readStatus() {
      const snapshot = await repo.readStatus()
      status = snapshot
      return snapshot
    },
  }
  return {
    repo: observed,
    latest: () => ({ ...(desired === undefined ? {} : { desired }), ...(status === undefined ? {} : { status }) }),
  }
}
