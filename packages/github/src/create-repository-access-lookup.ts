import { GITHUB_ERROR_CODES, GitHubApiError } from './github-api-error.js'
import type { RepositoryAccessLookup } from './authorize-gate-action.js'
import { callContext } from './internal/call-context.js'
import { callGitHub } from './internal/call-github.js'
import type { Clock, GitHubClient, GitHubRetryPolicy } from './types.js'

/** Arguments of {@link createRepositoryAccessLookup}. */
export interface RepositoryAccessLookupOptions {
  readonly octokit: GitHubClient
  readonly owner: string
  readonly repo: string
  readonly clock?: Clock
  readonly policy?: GitHubRetryPolicy
}

/**
 * Creates the GitHub lookups behind reviewer checks, each answer cached for the life of the
 * object (make one per comment or polling round, so a membership change is seen next time):
 * - team membership: GET /orgs/{org}/teams/{team_slug}/memberships/{username}; only an `active`
 *   membership counts, 404 means "not a member" (also what a token without `read:org` sees);
 * - write access: GET /repos/{owner}/{repo}/collaborators/{username}/permission; `admin`,
 *   `write` (GitHub reports `maintain` as `write`) count, 404 means "no access".
 * Other failures throw a `GitHubApiError`.
 *
 * @example
 * const lookup = createRepositoryAccessLookup({ octokit, owner: 'acme', repo: 'plans' })
 * await lookup.lookupTeamMembership('acme', 'sre', 'bob') // true
 */
export function createRepositoryAccessLookup(options: RepositoryAccessLookupOptions): RepositoryAccessLookup {
  const { octokit, owner, repo } = options
  const context = callContext(options)
  const cache = new Map<string, Promise<boolean>>()
  const cached = (key: string, load: () => Promise<boolean>): Promise<boolean> => {
    let answer = cache.get(key)
    if (answer === undefined) cache.set(key, (answer = load()))
    return answer
  }
  const absentOn404 = async (load: () => Promise<boolean>): Promise<boolean> => {
    try {
      return await load()
    } catch (error) {
      if (error instanceof GitHubApiError && error.code === GITHUB_ERROR_CODES.notFound) return false
      throw error
    }
  }
  return {
    lookupTeamMembership: (org, slug, login) =>
      cached(`team:${org}/${slug}:${login}`.toLowerCase(), () =>
        absentOn404(async () => {
          const response = await callGitHub('teams.getMembershipForUserInOrg', context, () =>
            octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login }),
          )
          return response.data.state === 'active'
        }),
      ),
    lookupWriteAccess: (login) =>
      cached(`write:${login}`.toLowerCase(), () =>
        absentOn404(async () => {
          const response = await callGitHub('repos.getCollaboratorPermissionLevel', context, () =>
            octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login }),
          )
          const { permission, role_name: role } = response.data
          return permission === 'admin' || permission === 'write' || role === 'maintain'
        }),
      ),
  }
}
