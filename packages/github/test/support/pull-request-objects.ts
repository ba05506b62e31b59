/** Builders of GitHub pull request objects (see github-objects.ts for how they are checked). */
import { API, WEB, nodeId, repository, simpleUser, userId } from './github-objects.js'

/** What the fake knows about a pull request. */
export interface PullRequestRecord {
  readonly owner: string
  readonly repo: string
  readonly number: number
  readonly author: string
  readonly title: string
  readonly headSha: string
  readonly headRef: string
  readonly baseSha: string
  readonly baseRef: string
  /** `owner/name` of the head repository: another one for a fork. */
  readonly headRepo: string
  readonly createdAt: string
  /** The description (pulls/create); absent for pull requests a test added. */
  readonly body?: string
}

/** A full `pull-request` (pulls/get). */
export function pullRequest(pr: PullRequestRecord, changedFiles: number): Record<string, unknown> {
  const id = userId(`${pr.owner}/${pr.repo}#${pr.number}`)
  const repoUrl = `${API}/repos/${pr.owner}/${pr.repo}`
  const url = `${repoUrl}/pulls/${pr.number}`
  const html = `${WEB}/${pr.owner}/${pr.repo}/pull/${pr.number}`
  const [headOwner, headName] = pr.headRepo.split('/') as [string, string]
  const fork = pr.headRepo !== `${pr.owner}/${pr.repo}`
  const link = (href: string): Record<string, unknown> => ({ href })
  return {
    url,
    id,
    node_id: nodeId('PR', id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${repoUrl}/issues/${pr.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoUrl}/pulls/comments{/number}`,
    comments_url: `${repoUrl}/issues/${pr.number}/comments`,
    statuses_url: `${repoUrl}/statuses/${pr.headSha}`,
    number: pr.number,
    state: 'open',
    locked: false,
    title: pr.title,
    user: simpleUser(pr.author),
    body: pr.body ?? null,
    labels: [],
    milestone: null,
    created_at: pr.createdAt,
    updated_at: pr.createdAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    head: { label: `${headOwner}:${pr.headRef}`, ref: pr.headRef, repo: repository(headOwner, headName, { fork }), sha: pr.headSha, user: simpleUser(headOwner) },
    base: { label: `${pr.owner}:${pr.baseRef}`, ref: pr.baseRef, repo: repository(pr.owner, pr.repo), sha: pr.baseSha, user: simpleUser(pr.owner) },
    _links: {
      self: link(url),
      html: link(html),
      issue: link(`${repoUrl}/issues/${pr.number}`),
      comments: link(`${repoUrl}/issues/${pr.number}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${repoUrl}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(`${repoUrl}/statuses/${pr.headSha}`),
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    merged: false,
    mergeable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: changedFiles,
    deletions: 0,
    changed_files: changedFiles,
  }
}

/** A `pull-request-simple` (repos/list-pull-requests-associated-with-commit). */
export function pullRequestSimple(pr: PullRequestRecord): Record<string, unknown> {
  const full = pullRequest(pr, 0)
  const simple: Record<string, unknown> = {}
  for (const key of [
    'url', 'id', 'node_id', 'html_url', 'diff_url', 'patch_url', 'issue_url', 'commits_url', 'review_comments_url', 'review_comment_url',
    'comments_url', 'statuses_url', 'number', 'state', 'locked', 'title', 'user', 'body', 'labels', 'milestone', 'created_at', 'updated_at',
    'closed_at', 'merged_at', 'merge_commit_sha', 'assignee', 'head', 'base', '_links', 'author_association', 'auto_merge',
  ]) simple[key] = full[key]
  return { ...simple, assignees: [], requested_reviewers: [], requested_teams: [], draft: false }
}

