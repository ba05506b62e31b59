import { compareVersions } from '@planspec/core'
import type { Resource } from '../api-client.js'
import type { AppContext, Page } from '../app-context.js'
import { h } from '../dom.js'
import { layoutGraph } from '../graph/layout-graph.js'
import { renderGraph } from '../graph/render-graph.js'
import { formatTime } from '../model/display-text.js'
import { graphOfPlan, planRefOf, record } from '../model/run-plan.js'
import { facts, phaseBadge, resourceLink, section, table, userText } from '../widgets.js'

/** The Executions that ran a Plan (their `planRef` names it), newest first. */
export function executionsOfPlan(context: AppContext, plan: Resource): Resource[] {
  const namespace = plan.metadata.namespace ?? 'default'
  return context.store
    .items('executions')
    .filter((execution) => {
      const ref = planRefOf(execution)
      return ref?.namespace === namespace && ref.name === plan.metadata.name
    })
    .sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')) || a.metadata.name.localeCompare(b.metadata.name))
}

/** The Plans of one series in a namespace, by version (newest first). */
export function seriesOf(context: AppContext, namespace: string, series: string): Resource[] {
  return context.store
    .items('plans')
    .filter((plan) => (plan.metadata.namespace ?? 'default') === namespace && plan.spec?.series === series)
    .sort((a, b) => -compareVersions(String(a.spec?.version ?? ''), String(b.spec?.version ?? '')))
}

/** A table of Executions with their phases and start times. */
export function executionsTable(executions: readonly Resource[]): HTMLElement {
  if (executions.length === 0) return h('p', {}, 'None yet.')
  return table(
    ['Execution', 'Phase', 'Started', 'Finished'],
    executions.map((execution) => [
      resourceLink('executions', execution.metadata.namespace ?? 'default', execution.metadata.name, 60),
      phaseBadge(execution.status?.phase),
      formatTime(typeof execution.status?.startTime === 'string' ? execution.status.startTime : undefined),
      formatTime(typeof execution.status?.completionTime === 'string' ? execution.status.completionTime : undefined),
    ]),
  )
}

/** A Plan: its graph, the versions of its series, and the Executions that ran it. */
export function planPage(context: AppContext, namespace: string, name: string): Page {
  return {
    title: `Plan ${name}`,
    follows: ['plans', 'executions'],
    render() {
      const plan = context.store.get('plans', namespace, name)
      if (plan === undefined) return h('div', { class: 'page' }, h('h1', {}, 'Plan ', userText(name, 80)), h('p', {}, context.store.loaded('plans') ? 'No such Plan.' : 'Loading…'))
      const series = typeof plan.spec?.series === 'string' ? plan.spec.series : undefined
      const goalRef = record(plan.spec?.goalRef)
      return h(
        'div',
        { class: 'page plan' },
        h('h1', {}, 'Plan ', userText(name, 80)),
        facts([
          ['Namespace', userText(namespace, 60)],
          ['Description', typeof plan.spec?.description === 'string' ? userText(plan.spec.description, 500) : undefined],
          ['Series', series === undefined ? undefined : userText(series, 80)],
          ['Version', typeof plan.spec?.version === 'string' ? userText(plan.spec.version, 40) : undefined],
          ['Goal', typeof goalRef.name === 'string' ? resourceLink('goals', typeof goalRef.namespace === 'string' ? goalRef.namespace : namespace, goalRef.name, 60) : undefined],
          ['Status', typeof plan.status?.phase === 'string' ? phaseBadge(plan.status.phase) : undefined],
        ]),
        h('div', { class: 'graph-scroll card', 'data-testid': 'graph' }, renderGraph(layoutGraph(graphOfPlan(plan)))),
        section(
          'Versions in the series',
          series === undefined
            ? h('p', {}, 'This Plan belongs to no series.')
            : table(
                ['Plan', 'Version'],
                seriesOf(context, namespace, series).map((other) => [resourceLink('plans', namespace, other.metadata.name, 60), userText(other.spec?.version ?? '—', 40)]),
              ),
        ),
        section('Executions that ran it', executionsTable(executionsOfPlan(context, plan))),
      )
    },
  }
}
