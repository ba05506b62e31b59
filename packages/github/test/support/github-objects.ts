/**
 * Builders of GitHub REST objects as the fake returns them. They are written by hand from the
 * description and checked against it on every response (the fake records any mismatch), so they
 * stay as complete as GitHub's own.
 */

/** The web and API hosts the fake pretends to be. */
export const WEB = 'https://github.com'
export const API = 'https://api.github.com'

/** A GraphQL-style node id. */
export const nodeId = (prefix: string, id: number): string => `${prefix}_${Buffer.from(String(id)).toString('base64url')}`

/** Stable numeric id for a login (GitHub user ids are positive integers). */
export function userId(login: string): number {
  let hash = 7
  for (const char of login) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000
  return 100_000 + hash
}

/** A `simple-user`. Bots have logins ending in `[bot]`. */
export function simpleUser(login: string): Record<string, unknown> {
  const id = userId(login)
  const url = `${API}/users/${encodeURIComponent(login)}`
  return {
    login,
    id,
    node_id: nodeId('U', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${WEB}/${encodeURIComponent(login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  }
}

/** A full `repository`. */
export function repository(owner: string, name: string, options: { readonly fork?: boolean; readonly id?: number } = {}): Record<string, unknown> {
  const id = options.id ?? userId(`${owner}/${name}`)
  const url = `${API}/repos/${owner}/${name}`
  const t = '2026-01-01T00:00:00Z'
  return {
    id,
    node_id: nodeId('R', id),
    name,
    full_name: `${owner}/${name}`,
    license: null,
    forks: 0,
    owner: simpleUser(owner),
    private: false,
    html_url: `${WEB}/${owner}/${name}`,
    description: null,
    fork: options.fork === true,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://github.com/${owner}/${name}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@github.com:${owner}/${name}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${WEB}/${owner}/${name}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: `${WEB}/${owner}/${name}`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 1,
    default_branch: 'main',
    open_issues_count: 1,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    pushed_at: t,
    created_at: t,
    updated_at: t,
    open_issues: 1,
    watchers: 0,
  }
}

/** What the fake keeps of an issue comment. */
export interface CommentRecord {
  readonly id: number
  readonly owner: string
  readonly repo: string
  readonly issueNumber: number
  body: string
  readonly author: string
  readonly createdAt: string
  updatedAt: string
}

/** An `issue-comment`. */
export function issueComment(comment: CommentRecord): Record<string, unknown> {
  const repoUrl = `${API}/repos/${comment.owner}/${comment.repo}`
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${repoUrl}/issues/comments/${comment.id}`,
    body: comment.body,
    html_url: `${WEB}/${comment.owner}/${comment.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    user: simpleUser(comment.author),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
    author_association: 'CONTRIBUTOR',
  }
}

/** What the fake keeps of a commit status. */
export interface StatusRecord {
  readonly id: number
  readonly owner: string
  readonly repo: string
  readonly sha: string
  readonly state: string
  readonly description: string | null
  readonly targetUrl: string | null
  readonly context: string
  readonly creator: string
  readonly createdAt: string
}

/** A `status`. */
export function commitStatus(status: StatusRecord): Record<string, unknown> {
  return {
    url: `${API}/repos/${status.owner}/${status.repo}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: simpleUser(status.creator),
  }
}

/** What a pull request changes in one file. */
export interface FileChange {
  readonly filename: string
  readonly status: 'added' | 'removed' | 'modified' | 'renamed'
  readonly previousFilename?: string
}

/** A `diff-entry` (pulls/list-files). */
export function diffEntry(owner: string, repo: string, headSha: string, change: FileChange): Record<string, unknown> {
  const path = change.filename.split('/').map(encodeURIComponent).join('/')
  return {
    sha: change.status === 'removed' ? null : gitSha(`${headSha}:${change.filename}`),
    filename: change.filename,
    status: change.status,
    additions: change.status === 'removed' ? 0 : 1,
    deletions: change.status === 'added' ? 0 : 1,
    changes: 2,
    blob_url: `${WEB}/${owner}/${repo}/blob/${headSha}/${path}`,
    raw_url: `${WEB}/${owner}/${repo}/raw/${headSha}/${path}`,
    contents_url: `${API}/repos/${owner}/${repo}/contents/${path}?ref=${headSha}`,
    ...(change.previousFilename === undefined ? {} : { previous_filename: change.previousFilename }),
  }
}

/** A `content-file` (repos/get-content for a file). */
export function contentFile(owner: string, repo: string, ref: string, path: string, text: string): Record<string, unknown> {
  const sha = gitSha(text)
  const encoded = path.split('/').map(encodeURIComponent).join('/')
  const url = `${API}/repos/${owner}/${repo}/contents/${encoded}?ref=${ref}`
  const html = `${WEB}/${owner}/${repo}/blob/${ref}/${encoded}`
  const git = `${API}/repos/${owner}/${repo}/git/blobs/${sha}`
  // GitHub wraps base64 content at 60 characters per line, and sends none above 1 MB.
  const tooLarge = Buffer.byteLength(text) > 1024 * 1024
  const content = tooLarge ? '' : (Buffer.from(text).toString('base64').match(/.{1,60}/g) ?? []).join('\n')
  return {
    type: 'file',
    encoding: tooLarge ? 'none' : 'base64',
    size: Buffer.byteLength(text),
    name: path.split('/').pop(),
    path,
    content,
    sha,
    url,
    git_url: git,
    html_url: html,
    download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${encoded}`,
    _links: { self: url, git, html },
  }
}

/** A 40-hex id derived from `text` (not git's real hash; stable and well-formed). */
export function gitSha(text: string): string {
  let a = 0x811c9dc5
  let out = ''
  for (let round = 0; round < 5; round += 1) {
    for (const char of `${round}:${text}`) a = Math.imul(a ^ char.charCodeAt(0), 0x01000193) >>> 0
    out += a.toString(16).padStart(8, '0')
  }
  return out
}
