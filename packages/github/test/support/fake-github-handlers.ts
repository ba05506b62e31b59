/** The operations the fake GitHub implements, keyed by the description's operation id. */
import {
  commitStatus,
  contentFile,
  diffEntry,
  issueComment,
  simpleUser,
  type CommentRecord,
  type StatusRecord,
} from './github-objects.js'
import { pullRequest, pullRequestSimple } from './pull-request-objects.js'
import type { FakeState, TokenGrant } from './fake-github.js'
import type { MatchedRequest } from './openapi-contract.js'

/** An answer: status, JSON body and extra headers. */
export interface Answer {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

/** A request as a handler sees it. */
export interface Handled {
  readonly matched: MatchedRequest
  readonly query: URLSearchParams
  readonly body: Record<string, unknown>
  readonly grant: TokenGrant
}

/** What the handlers read and change. */
export interface HandlerWorld {
  readonly state: FakeState
  /** Advances the fake clock one second and returns the new time. */
  tick(): string
  newId(): number
  baseUrl(): string
  /** The head commit of a branch of a repository, when the test says (pulls/create needs it). */
  branchHead?(owner: string, repo: string, branch: string): string | undefined
}

/** GitHub's limit on issue and pull request comment bodies. */
export const COMMENT_BODY_LIMIT = 65_536
/** GitHub returns at most this many files for a pull request. */
export const PULL_FILES_LIMIT = 3000
export const DOCS = 'https://docs.github.com/rest'
const API_HOST = 'https://api.github.com'

/** Creates the handlers of every implemented operation. */
export function createHandlers(world: HandlerWorld): Record<string, (h: Handled) => Answer> {
  const issueExists = (owner: string, repo: string, number: number): boolean => world.state.pulls.has(`${owner}/${repo}#${number}`)
  return {
    'issues/list-comments': ({ matched: { params }, query }) => {
      const number = Number(params['issue_number'])
      if (!issueExists(params['owner']!, params['repo']!, number)) return notFound()
      const since = query.get('since')
      const list = [...world.state.comments.values()].filter(
        (c) => c.owner === params['owner'] && c.repo === params['repo'] && c.issueNumber === number && (since === null || c.updatedAt >= since),
      )
      return paginate(list.map(issueComment), query, `${world.baseUrl()}/repos/${params['owner']}/${params['repo']}/issues/${number}/comments`)
    },
    'issues/list-comments-for-repo': ({ matched: { params }, query }) => {
      const since = query.get('since')
      const sortKey = query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt'
      const descending = query.get('direction') === 'desc'
      const list = [...world.state.comments.values()]
        .filter((c) => c.owner === params['owner'] && c.repo === params['repo'] && (since === null || c.updatedAt >= since))
        .sort((a, b) => (a[sortKey] < b[sortKey] ? -1 : a[sortKey] > b[sortKey] ? 1 : a.id - b.id) * (descending ? -1 : 1))
      return paginate(list.map(issueComment), query, `${world.baseUrl()}/repos/${params['owner']}/${params['repo']}/issues/comments`)
    },
    'issues/create-comment': ({ matched: { params }, body, grant }) => {
      const number = Number(params['issue_number'])
      if (!issueExists(params['owner']!, params['repo']!, number)) return notFound()
      const text = String(body['body'])
      if (text.length > COMMENT_BODY_LIMIT) return bodyTooLong('IssueComment')
      const now = world.tick()
      const comment: CommentRecord = { id: world.newId(), owner: params['owner']!, repo: params['repo']!, issueNumber: number, body: text, author: grant.login, createdAt: now, updatedAt: now }
      world.state.comments.set(comment.id, comment)
      return { status: 201, body: issueComment(comment), headers: { location: `${API_HOST}/repos/${comment.owner}/${comment.repo}/issues/comments/${comment.id}` } }
    },
    'issues/update-comment': ({ matched: { params }, body, grant }) => {
      const comment = world.state.comments.get(Number(params['comment_id']))
      if (comment === undefined || comment.owner !== params['owner'] || comment.repo !== params['repo']) return notFound()
      if (comment.author !== grant.login) return forbidden('You must be the author of this comment to edit it')
      const text = String(body['body'])
      if (text.length > COMMENT_BODY_LIMIT) return bodyTooLong('IssueComment')
      comment.body = text
      comment.updatedAt = world.tick()
      return { status: 200, body: issueComment(comment) }
    },
    'repos/create-commit-status': ({ matched: { params }, body, grant }) => {
      const description = typeof body['description'] === 'string' ? body['description'] : null
      if (description !== null && description.length > 140) {
        return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }], documentation_url: DOCS } }
      }
      const status: StatusRecord = {
        id: world.newId(),
        owner: params['owner']!,
        repo: params['repo']!,
        sha: params['sha']!,
        state: String(body['state']),
        description,
        targetUrl: typeof body['target_url'] === 'string' ? body['target_url'] : null,
        context: typeof body['context'] === 'string' ? body['context'] : 'default',
        creator: grant.login,
        createdAt: world.tick(),
      }
      world.state.statuses.push(status)
      return { status: 201, body: commitStatus(status) }
    },
    'pulls/create': ({ matched: { params }, body, grant }) => {
      const [owner, repo] = [params['owner']!, params['repo']!]
      const head = String(body['head'])
      const base = String(body['base'])
      const headSha = world.branchHead?.(owner, repo, head)
      const baseSha = world.branchHead?.(owner, repo, base)
      if (headSha === undefined || baseSha === undefined) return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: headSha === undefined ? 'head' : 'base', code: 'invalid' }], documentation_url: DOCS } }
      if ([...world.state.pulls.values()].some((pr) => pr.owner === owner && pr.repo === repo && pr.headRef === head)) return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }], documentation_url: DOCS } }
      const number = Math.max(0, ...[...world.state.pulls.values()].filter((pr) => pr.owner === owner && pr.repo === repo).map((pr) => pr.number)) + 1
      const record = { owner, repo, number, author: grant.login, title: String(body['title']), body: typeof body['body'] === 'string' ? body['body'] : '', headSha, headRef: head, baseSha, baseRef: base, headRepo: `${owner}/${repo}`, createdAt: world.tick(), files: [] }
      world.state.pulls.set(`${owner}/${repo}#${number}`, record)
      return { status: 201, body: pullRequest(record, 0), headers: { location: `${API_HOST}/repos/${owner}/${repo}/pulls/${number}` } }
    },
    'pulls/get': ({ matched: { params } }) => {
      const pr = world.state.pulls.get(`${params['owner']}/${params['repo']}#${params['pull_number']}`)
      return pr === undefined ? notFound() : { status: 200, body: pullRequest(pr, pr.files.length) }
    },
    'pulls/list-files': ({ matched: { params }, query }) => {
      const pr = world.state.pulls.get(`${params['owner']}/${params['repo']}#${params['pull_number']}`)
      if (pr === undefined) return notFound()
      const entries = pr.files.slice(0, PULL_FILES_LIMIT).map((f) => diffEntry(pr.owner, pr.repo, pr.headSha, f))
      return paginate(entries, query, `${world.baseUrl()}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}/files`)
    },
    'repos/list-pull-requests-associated-with-commit': ({ matched: { params }, query }) => {
      const list = [...world.state.pulls.values()].filter((pr) => pr.owner === params['owner'] && pr.repo === params['repo'] && pr.headSha === params['commit_sha'])
      return paginate(list.map(pullRequestSimple), query, `${world.baseUrl()}/repos/${params['owner']}/${params['repo']}/commits/${params['commit_sha']}/pulls`)
    },
    'repos/get-content': ({ matched: { params }, query }) => {
      const ref = query.get('ref') ?? 'main'
      const prefix = `${params['owner']}/${params['repo']}@${ref}:`
      const text = world.state.files.get(`${prefix}${params['path']}`)
      if (text !== undefined) return { status: 200, body: contentFile(params['owner']!, params['repo']!, ref, params['path']!, text) }
      // A directory: the files right beneath it, as GitHub lists them (no content).
      const below = [...world.state.files.keys()].filter((key) => key.startsWith(`${prefix}${params['path']}/`)).map((key) => key.slice(prefix.length))
      if (below.length === 0) return notFound()
      return { status: 200, body: below.map((path) => ({ ...contentFile(params['owner']!, params['repo']!, ref, path, world.state.files.get(`${prefix}${path}`) ?? ''), content: undefined, encoding: undefined })).map(({ content: _c, encoding: _e, ...entry }) => entry) }
    },
    'teams/get-membership-for-user-in-org': ({ matched: { params } }) => {
      const members = world.state.teams.get(`${params['org']}/${params['team_slug']}`)
      const membership = members?.get(params['username']!.toLowerCase())
      if (membership === undefined) return notFound()
      return { status: 200, body: { url: `${API_HOST}/orgs/${params['org']}/teams/${params['team_slug']}/memberships/${params['username']}`, role: 'member', state: membership } }
    },
    'repos/get-collaborator-permission-level': ({ matched: { params } }) => {
      const level = world.state.permissions.get(`${params['owner']}/${params['repo']}`)?.get(params['username']!.toLowerCase())
      const permission = level === undefined ? 'none' : level === 'maintain' ? 'write' : level === 'triage' ? 'read' : level
      const role = level ?? 'none'
      return {
        status: 200,
        body: {
          permission,
          role_name: role,
          user: { ...simpleUser(params['username']!), role_name: role, permissions: { admin: level === 'admin', maintain: level === 'maintain', push: permission === 'write' || permission === 'admin', triage: level !== undefined, pull: level !== undefined } },
        },
      }
    },
  }
}

/** GitHub's 404 body. */
export function notFound(): Answer {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } }
}

/** GitHub's 403 body. */
export function forbidden(message: string): Answer {
  return { status: 403, body: { message, documentation_url: DOCS, status: '403' } }
}

function bodyTooLong(resource: string): Answer {
  return {
    status: 422,
    body: { message: 'Validation Failed', errors: [{ resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)` }], documentation_url: DOCS },
  }
}

/** The body GitHub sends with an injected fault's status, unless the test gives one. */
export function defaultFaultBody(status: number): unknown {
  if (status === 422) return { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'invalid', field: 'body' }], documentation_url: DOCS }
  if (status === 403 || status === 429) return { message: 'API rate limit exceeded for installation.', documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api` }
  if (status >= 500) return { message: 'Server Error', documentation_url: DOCS }
  return { message: 'Not Found', documentation_url: DOCS }
}

/** Pages a list like GitHub: `per_page` (default 30, at most 100), `page`, and a `Link` header. */
function paginate(items: readonly unknown[], query: URLSearchParams, base: string): Answer {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30)))
  const page = Math.max(1, Number(query.get('page') ?? 1))
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const links: string[] = []
  const at = (n: number): string => {
    const next = new URLSearchParams(query)
    next.set('page', String(n))
    next.set('per_page', String(perPage))
    return `<${base}?${next.toString()}>`
  }
  if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`)
  if (page > 1) links.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`)
  return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers: links.length === 0 ? {} : { link: links.join(', ') } }
}

