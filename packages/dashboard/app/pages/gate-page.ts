import { ApiError, type Resource } from '../api-client.js'
import type { AppContext, Page } from '../app-context.js'
import { h } from '../dom.js'
import { formatTime } from '../model/display-text.js'
import { gateEligibility, type GateExecutionEntry } from '../model/gate-eligibility.js'
import { record } from '../model/run-plan.js'
import { facts, phaseBadge, resourceLink, section, table, userText } from '../widgets.js'

const short = (digest: unknown): string => (typeof digest === 'string' ? (digest.length > 19 ? `${digest.slice(0, 19)}…` : digest) : '—')

/**
 * A Gate: who may approve it (its reviewers, or anyone RBAC lets approve; never a run's change
 * author), one decision per Execution that reached it (its digest, change author, phase and
 * resolution), Approve/Reject with a comment for each waiting Execution, offered only when the
 * viewer is eligible (RBAC `approve` and core's reviewer rules), and the review history: who
 * acted, on which Execution and digest, counted or refused with the reason.
 */
export function gatePage(context: AppContext, namespace: string, name: string): Page {
  return {
    title: `Gate ${name}`,
    follows: ['gates', 'executions'],
    render() {
      const gate = context.store.get('gates', namespace, name)
      if (gate === undefined) return h('div', { class: 'page' }, h('h1', {}, 'Gate ', userText(name, 80)), h('p', {}, context.store.loaded('gates') ? 'No such Gate.' : 'Loading…'))
      const reviewers = (Array.isArray(gate.spec?.reviewers) ? gate.spec.reviewers : []).filter((r): r is string => typeof r === 'string')
      const required = typeof gate.spec?.requiredApprovers === 'number' ? gate.spec.requiredApprovers : 1
      const entries = (Array.isArray(gate.status?.executions) ? gate.status.executions : []).map(record) as unknown as GateExecutionEntry[]
      const history = (Array.isArray(gate.status?.reviewHistory) ? gate.status.reviewHistory : []).map(record)
      const rbac = context.canApprove(namespace, name)
      const target = record(gate.spec?.targetRef)
      return h(
        'div',
        { class: 'page gate' },
        h('h1', {}, 'Gate ', userText(name, 80), ' ', phaseBadge(gate.status?.phase)),
        facts([
          ['Namespace', userText(namespace, 60)],
          ['Description', typeof gate.spec?.description === 'string' ? userText(gate.spec.description, 500) : undefined],
          ['Who may approve', h('span', { 'data-testid': 'reviewers' }, reviewers.length === 0 ? `anyone allowed to approve gates in ${namespace}` : reviewers.map((r, i) => [i === 0 ? '' : ', ', userText(r, 80)]), ' — never the author of the change that created a run')],
          ['Approvals needed', String(required)],
          ['Target', typeof target.name === 'string' ? userText(`${typeof target.kind === 'string' ? target.kind : ''}/${target.name}`, 120) : undefined],
          ['Generation', String(gate.metadata.generation ?? 1)],
        ]),
        context.notice === undefined ? null : h('p', { class: `notice ${context.notice.kind}`, role: 'status', 'data-testid': 'notice' }, userText(context.notice.text, 500)),
        section(
          'Decisions, one per Execution',
          entries.length === 0
            ? h('p', {}, 'No Execution has reached this Gate yet.')
            : h('div', { class: 'decisions' }, entries.map((entry) => decision(context, gate, reviewers, entry, rbac))),
        ),
        section(
          'Review history',
          history.length === 0
            ? h('p', {}, 'Nobody has acted yet.')
            : table(
                ['When', 'Who', 'Action', 'Execution', 'Digest', 'Counted', 'Comment', 'From'],
                [...history].reverse().map((entry) => [
                  formatTime(typeof entry.timestamp === 'string' ? entry.timestamp : undefined),
                  userText(entry.reviewer, 60),
                  userText(entry.action, 20),
                  typeof record(entry.execution).name === 'string' ? userText(record(entry.execution).name, 60) : '—',
                  h('code', {}, short(entry.digest)),
                  entry.counted === true ? h('span', { class: 'counted' }, '✔ counted') : entry.counted === false ? h('span', { class: 'refused' }, '✖ refused: ', userText(entry.reason, 60)) : '—',
                  typeof entry.comment === 'string' ? userText(entry.comment, 300) : '—',
                  typeof entry.source === 'string' ? userText(entry.source, 80) : '—',
                ]),
                'Newest first',
              ),
        ),
      )
    },
  }
}

/** One Execution's decision, with the buttons when the viewer may decide it. */
function decision(context: AppContext, gate: Resource, reviewers: readonly string[], entry: GateExecutionEntry, rbac: boolean | undefined): HTMLElement {
  const namespace = gate.metadata.namespace ?? 'default'
  const resolution = record(record(entry as unknown).resolution)
  const eligibility = rbac === undefined ? undefined : gateEligibility(context.viewer, reviewers, entry, rbac)
  const key = `${namespace}/${gate.metadata.name}/${entry.uid}`
  const act = async (action: 'approve' | 'reject'): Promise<void> => {
    const comment = context.drafts.get(key)?.trim()
    try {
      await context.api.review(namespace, gate.metadata.name, action, { execution: entry.name, digest: entry.digest, targetGeneration: gate.metadata.generation ?? 1, ...(comment ? { comment } : {}) })
      context.drafts.delete(key)
      context.notice = { kind: 'ok', text: `${action === 'approve' ? 'Approved' : 'Rejected'} for ${entry.name}.` }
    } catch (error) {
      context.notice = { kind: 'error', text: error instanceof ApiError ? `The server refused (${error.status}): ${error.message}` : String(error) }
    }
    context.refresh()
  }
  return h(
    'article',
    { class: 'decision', 'data-execution': entry.name },
    h('h3', {}, resourceLink('executions', entry.namespace, entry.name, 60), ' ', phaseBadge(entry.phase)),
    facts([
      ['Digest', h('code', {}, userText(entry.digest, 80))],
      ['Change author', entry.changeAuthor === undefined ? 'unknown' : userText(entry.changeAuthor, 80)],
      ['Decided by', Array.isArray(resolution.actors) ? userText(resolution.actors.join(', '), 200) : undefined],
      ['Comment', typeof resolution.comment === 'string' ? userText(resolution.comment, 300) : undefined],
      ['Decided at', typeof resolution.timestamp === 'string' ? formatTime(resolution.timestamp) : undefined],
      ['Message', typeof record(entry as unknown).message === 'string' ? userText(record(entry as unknown).message, 300) : undefined],
    ]),
    entry.phase !== 'Waiting'
      ? null
      : eligibility === undefined
        ? h('p', {}, 'Checking whether you may decide…')
        : eligibility.eligible
          ? h(
              'form',
              { class: 'review', 'data-testid': 'review-form', onsubmit: (event: Event) => event.preventDefault() },
              h('label', { for: `comment-${entry.uid}` }, 'Comment (optional)'),
              h('textarea', { id: `comment-${entry.uid}`, rows: 2, maxlength: 2000, 'data-key': `comment:${key}`, oninput: (event: Event) => context.drafts.set(key, (event.target as HTMLTextAreaElement).value) }, context.drafts.get(key) ?? ''),
              h(
                'div',
                { class: 'buttons' },
                h('button', { type: 'button', class: 'approve', 'data-key': `approve:${key}`, onclick: () => void act('approve') }, 'Approve'),
                h('button', { type: 'button', class: 'reject', 'data-key': `reject:${key}`, onclick: () => void act('reject') }, 'Reject'),
              ),
            )
          : h('p', { class: 'ineligible', 'data-testid': 'ineligible' }, `You cannot decide this run: ${eligibility.reason}.`),
  )
}
