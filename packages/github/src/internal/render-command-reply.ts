import { codeSpan, escapeMarkdown, stickyMarker } from '@planspec/reporter'
import type { CommandComment, CommandResult } from '../comment-command-types.js'

const ICON: Readonly<Record<CommandResult['outcome'], string>> = { recorded: '✅', refused: '⛔', failed: '⚠️' }
const VERB: Readonly<Record<CommandResult['outcome'], string>> = { recorded: 'recorded', refused: 'refused', failed: 'failed' }

/** The marker of the reply to a comment: one reply per comment, edited when handled again. */
export function replyMarker(commentId: number): string {
  return `reply/${commentId}`
}

/**
 * Renders the reply to a comment's commands: one line per command with its outcome and why.
 * Every piece of user text is escaped (`escapeMarkdown`: no mention, reference, link, HTML or
 * Markdown survives) or shown as a code span; no line starts with `/planspec`, so the reply is
 * never read as a command.
 */
export function renderCommandReply(comment: CommandComment, results: readonly CommandResult[]): string {
  const lines = [
    stickyMarker(replyMarker(comment.id)),
    `**PlanSpec** · commands from ${escapeMarkdown(`@${comment.author}`, 80)} in [this comment](${safeUrl(comment.url)}):`,
    '',
  ]
  for (const result of results) {
    const what = result.outcome === 'failed' || result.reason === 'Invalid' ? codeSpan(result.command, { max: 120 }) : codeSpan(result.command)
    const detail = result.message === undefined ? '' : `: ${escapeMarkdown(result.message, 300)}`
    lines.push(`- ${ICON[result.outcome]} ${what} ${VERB[result.outcome]}${detail}`)
  }
  return `${lines.join('\n')}\n`
}

/** Only GitHub comment URLs are linked; anything else becomes the pull request anchor. */
function safeUrl(url: string): string {
  return /^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9._/-]+(?:#issuecomment-\d+)?$/.test(url) ? url : '#'
}
