/**
 * Webhook deliveries as GitHub sends them, signed with the secret, and checked against the
 * description's `x-webhooks` schema by the tests that use them.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { API, WEB, repository, simpleUser, userId } from './github-objects.js'

/** An `issue_comment` `created` payload on a pull request (or an issue with `pullRequest: false`). */
export function issueCommentCreated(options: {
  readonly owner: string
  readonly repo: string
  readonly number: number
  readonly prAuthor: string
  readonly commenter: string
  readonly body: string
  readonly commentId: number
  readonly createdAt?: string
  readonly pullRequest?: boolean
}): Record<string, unknown> {
  const created = options.createdAt ?? '2026-01-01T00:10:00Z'
  const repoUrl = `${API}/repos/${options.owner}/${options.repo}`
  const issueUrl = `${repoUrl}/issues/${options.number}`
  const html = `${WEB}/${options.owner}/${options.repo}/pull/${options.number}`
  const reactions = { url: `${issueUrl}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 }
  const issueId = userId(`${options.owner}/${options.repo}#${options.number}`)
  return {
    action: 'created',
    issue: {
      url: issueUrl,
      repository_url: repoUrl,
      labels_url: `${issueUrl}/labels{/name}`,
      comments_url: `${issueUrl}/comments`,
      events_url: `${issueUrl}/events`,
      html_url: html,
      id: issueId,
      node_id: `PR_${issueId}`,
      number: options.number,
      title: `Change ${options.number}`,
      user: simpleUser(options.prAuthor),
      labels: [],
      state: 'open',
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: 1,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: created,
      closed_at: null,
      author_association: 'CONTRIBUTOR',
      active_lock_reason: null,
      body: null,
      reactions,
      timeline_url: `${issueUrl}/timeline`,
      performed_via_github_app: null,
      ...(options.pullRequest === false
        ? {}
        : { pull_request: { url: `${repoUrl}/pulls/${options.number}`, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: null } }),
    },
    comment: {
      url: `${repoUrl}/issues/comments/${options.commentId}`,
      html_url: `${html}#issuecomment-${options.commentId}`,
      issue_url: issueUrl,
      id: options.commentId,
      node_id: `IC_${options.commentId}`,
      user: simpleUser(options.commenter),
      created_at: created,
      updated_at: created,
      author_association: 'CONTRIBUTOR',
      body: options.body,
      reactions: { ...reactions, url: `${repoUrl}/issues/comments/${options.commentId}/reactions` },
      performed_via_github_app: null,
    },
    repository: repository(options.owner, options.repo),
    sender: simpleUser(options.commenter),
  }
}

/** The headers of a delivery of `payload` (raw JSON text), signed with `secret`. */
export function deliveryHeaders(event: string, payload: string, secret: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`,
    'user-agent': 'GitHub-Hookshot/test',
  }
}
