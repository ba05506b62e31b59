import { PHASE_STYLES } from '@planspec/reporter'
import type { Resource } from '../api-client.js'
import type { AppContext, Page } from '../app-context.js'
import { h, link } from '../dom.js'
import { blockedReasons } from '../model/blocked-reasons.js'
import { gateEligibility, type GateExecutionEntry } from '../model/gate-eligibility.js'
import { formatTime } from '../model/display-text.js'
import { nodeStatusOf, planRefOf, record, runPlanOf } from '../model/run-plan.js'
import { phaseBadge, resourceLink, section, table, userText } from '../widgets.js'

const byName = (a: Resource, b: Resource): number => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name)

/**
 * The overview: Executions by phase across namespaces, what holds each unfinished one up and why,
 * the Gates waiting on the viewer, and the Goals and Plans to open.
 */
export function overviewPage(context: AppContext): Page {
  return {
    title: 'Overview',
    follows: ['executions', 'gates', 'plans', 'goals'],
    render() {
      const { store } = context
      const executions = [...store.items('executions')].sort(byName)
      const findGate = (namespace: string, name: string): Resource | undefined => store.get('gates', namespace, name)
      const findPlan = (namespace: string, name: string): Resource | undefined => store.get('plans', namespace, name)
      const counts = new Map<string, number>()
      for (const execution of executions) {
        const phase = typeof execution.status?.phase === 'string' ? execution.status.phase : 'Pending'
        counts.set(phase, (counts.get(phase) ?? 0) + 1)
      }
      const phases = [...counts.keys()].sort((a, b) => (PHASE_STYLES[a]?.rank ?? 9) - (PHASE_STYLES[b]?.rank ?? 9))
      const rows = executions.map((execution) => {
        const namespace = execution.metadata.namespace ?? 'default'
        const run = runPlanOf(execution, findPlan)
        const taskIds = run.graph.nodes.filter((n) => n.kind !== 'Group').map((n) => n.id)
        const done = taskIds.filter((id) => ['Succeeded', 'Skipped'].includes(String(nodeStatusOf(execution, id).phase))).length
        const reasons = blockedReasons(execution, run.graph, findGate)
        const plan = planRefOf(execution)
        return [
          userText(namespace, 40),
          resourceLink('executions', namespace, execution.metadata.name, 60),
          phaseBadge(execution.status?.phase),
          plan === undefined ? '—' : resourceLink('plans', plan.namespace, plan.name, 40),
          `${done}/${taskIds.length}`,
          formatTime(typeof execution.status?.startTime === 'string' ? execution.status.startTime : undefined),
          reasons.length === 0
            ? '—'
            : h(
                'ul',
                { class: 'reasons' },
                reasons.slice(0, 5).map((reason) => h('li', {}, reason.gate === undefined ? userText(reason.text, 160) : link(['gates', reason.gate.namespace, reason.gate.name], userText(reason.text, 160)))),
                reasons.length > 5 ? h('li', {}, `and ${reasons.length - 5} more`) : null,
              ),
        ]
      })
      return h(
        'div',
        { class: 'page overview' },
        h('h1', {}, 'Overview'),
        section(
          'Executions by phase',
          store.loaded('executions')
            ? h('ul', { class: 'phase-counts', 'data-testid': 'phase-counts' }, phases.length === 0 ? h('li', {}, 'No Executions yet.') : phases.map((phase) => h('li', {}, phaseBadge(phase), ` ${counts.get(phase)}`)))
            : h('p', {}, 'Loading…'),
        ),
        waitingOnYou(context),
        section('Executions', rows.length === 0 ? h('p', {}, store.loaded('executions') ? 'No Executions.' : 'Loading…') : table(['Namespace', 'Execution', 'Phase', 'Plan', 'Done', 'Started', 'Blocked or failed because'], rows)),
        section(
          'Goals and Plans',
          h(
            'div',
            { class: 'columns' },
            h('div', {}, h('h3', {}, 'Goals'), h('ul', { class: 'plain' }, store.items('goals').length === 0 ? h('li', {}, 'None.') : [...store.items('goals')].sort(byName).map((goal) => h('li', {}, resourceLink('goals', goal.metadata.namespace ?? 'default', goal.metadata.name, 60), ' ', phaseBadge(goal.status?.phase))))),
            h('div', {}, h('h3', {}, 'Plans'), h('ul', { class: 'plain' }, store.items('plans').length === 0 ? h('li', {}, 'None.') : [...store.items('plans')].sort(byName).map((plan) => h('li', {}, resourceLink('plans', plan.metadata.namespace ?? 'default', plan.metadata.name, 60))))),
          ),
        ),
      )
    },
  }
}

/** The Gates that wait on a decision the viewer may give. */
function waitingOnYou(context: AppContext): HTMLElement {
  const gates = [...context.store.items('gates')].sort(byName)
  const mine: HTMLElement[] = []
  for (const gate of gates) {
    const namespace = gate.metadata.namespace ?? 'default'
    const entries = (Array.isArray(gate.status?.executions) ? gate.status.executions : []).map(record) as unknown as GateExecutionEntry[]
    const waiting = entries.filter((entry) => entry.phase === 'Waiting')
    if (waiting.length === 0) continue
    const allowed = context.canApprove(namespace, gate.metadata.name)
    if (allowed !== true) continue
    const reviewers = (Array.isArray(gate.spec?.reviewers) ? gate.spec.reviewers : []).filter((r): r is string => typeof r === 'string')
    const eligible = waiting.filter((entry) => gateEligibility(context.viewer, reviewers, entry, true).eligible)
    if (eligible.length === 0) continue
    mine.push(h('li', {}, resourceLink('gates', namespace, gate.metadata.name, 60), ' for ', eligible.map((entry, i) => [i === 0 ? '' : ', ', userText(entry.name, 60)])))
  }
  return section('Gates waiting on you', mine.length === 0 ? h('p', { 'data-testid': 'nothing-waiting' }, 'Nothing waits on you.') : h('ul', { class: 'plain', 'data-testid': 'waiting-on-you' }, mine))
}
