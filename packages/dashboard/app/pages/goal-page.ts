import type { AppContext, Page } from '../app-context.js'
import { h } from '../dom.js'
import { layoutGraph } from '../graph/layout-graph.js'
import { renderGraph } from '../graph/render-graph.js'
import { graphOfPlan, record } from '../model/run-plan.js'
import { facts, phaseBadge, resourceLink, section, table, userText } from '../widgets.js'
import { executionsOfPlan, executionsTable } from './plan-page.js'

/** A Goal: its phase, the graph of the Plan it selected, its Plans (with versions) and the Executions that ran them. */
export function goalPage(context: AppContext, namespace: string, name: string): Page {
  return {
    title: `Goal ${name}`,
    follows: ['goals', 'plans', 'executions'],
    render() {
      const goal = context.store.get('goals', namespace, name)
      if (goal === undefined) return h('div', { class: 'page' }, h('h1', {}, 'Goal ', userText(name, 80)), h('p', {}, context.store.loaded('goals') ? 'No such Goal.' : 'Loading…'))
      const active = record(goal.status?.activePlanRef)
      const plans = context.store.items('plans').filter((plan) => {
        const ref = record(plan.spec?.goalRef)
        return ref.name === name && (typeof ref.namespace === 'string' ? ref.namespace : (plan.metadata.namespace ?? 'default')) === namespace
      })
      const activePlan = typeof active.name === 'string' ? context.store.get('plans', typeof active.namespace === 'string' ? active.namespace : namespace, active.name) : plans[0]
      const executions = plans.flatMap((plan) => executionsOfPlan(context, plan))
      return h(
        'div',
        { class: 'page goal' },
        h('h1', {}, 'Goal ', userText(name, 80), ' ', phaseBadge(goal.status?.phase)),
        facts([
          ['Namespace', userText(namespace, 60)],
          ['Description', typeof goal.spec?.description === 'string' ? userText(goal.spec.description, 500) : undefined],
          ['Selected plan', activePlan === undefined ? undefined : resourceLink('plans', activePlan.metadata.namespace ?? namespace, activePlan.metadata.name, 60)],
        ]),
        activePlan === undefined ? null : h('div', { class: 'graph-scroll card', 'data-testid': 'graph' }, renderGraph(layoutGraph(graphOfPlan(activePlan)))),
        section(
          'Plans',
          plans.length === 0
            ? h('p', {}, 'No Plan names this Goal.')
            : table(
                ['Plan', 'Series', 'Version'],
                plans.map((plan) => [resourceLink('plans', plan.metadata.namespace ?? namespace, plan.metadata.name, 60), userText(plan.spec?.series ?? '—', 60), userText(plan.spec?.version ?? '—', 40)]),
              ),
        ),
        section('Executions', executionsTable(executions)),
      )
    },
  }
}
