import { criticalPath, deriveGroupStatuses, parseDuration, type ExecutionStatus, type NodeStatus } from '@planspec/core'
import { PHASE_STYLES } from '@planspec/reporter'
import type { AppContext, Page } from '../app-context.js'
import { h, link } from '../dom.js'
import { layoutGraph, type GraphLayout } from '../graph/layout-graph.js'
import { renderGraph } from '../graph/render-graph.js'
import { elapsedMs, formatDuration, formatTime } from '../model/display-text.js'
import { nodeStatusOf, record, runPlanOf } from '../model/run-plan.js'
import { routeHash } from '../router.js'
import { facts, phaseBadge, resourceLink, section, table, userText } from '../widgets.js'
import { nodePanel } from './node-panel.js'

// `planspec simulate` gives a Task or External node without a timeout one minute.
const SIMULATED_DEFAULT_MS = 60_000
const layouts = new Map<string, GraphLayout>()

/** Lays a graph out once per plan version (the layout does not depend on the run's progress). */
function cachedLayout(key: string, make: () => GraphLayout): GraphLayout {
  const found = layouts.get(key)
  if (found !== undefined) return found
  const made = make()
  if (layouts.size > 20) layouts.delete(layouts.keys().next().value as string)
  layouts.set(key, made)
  return made
}

/**
 * An Execution: its plan's DAG drawn live from the watch stream (node phases, the real critical
 * path outlined), the real and the simulated critical paths side by side, a table of every node
 * (the keyboard and screen-reader way through the graph), and the panel of the selected node.
 */
export function executionPage(context: AppContext, namespace: string, name: string, selected: string | undefined): Page {
  return {
    title: `Execution ${name}`,
    follows: ['executions', 'plans', 'gates'],
    render() {
      const execution = context.store.get('executions', namespace, name)
      if (execution === undefined) return h('div', { class: 'page' }, h('h1', {}, 'Execution ', userText(name, 80)), h('p', {}, context.store.loaded('executions') ? 'No such Execution.' : 'Loading…'))
      const run = runPlanOf(execution, (ns, n) => context.store.get('plans', ns, n))
      const { graph } = run
      const nowMs = Date.now()
      const status = (execution.status ?? {}) as ExecutionStatus
      const groups = deriveGroupStatuses(graph, (status.nodeStatuses ?? {}) as Record<string, NodeStatus>)
      const phaseOf = (id: string): string | undefined => {
        const node = graph.nodeById.get(id)
        if (node?.kind === 'Group') return groups[id]?.phase ?? 'Pending'
        const phase = nodeStatusOf(execution, id).phase
        return typeof phase === 'string' ? phase : node === undefined ? undefined : 'Pending'
      }
      const real = criticalPath(graph, (id) => {
        const s = nodeStatusOf(execution, id)
        return elapsedMs(typeof s.startTime === 'string' ? s.startTime : undefined, typeof s.completionTime === 'string' ? s.completionTime : undefined, nowMs) ?? 0
      })
      const simulated = criticalPath(graph, (id) => {
        const node = graph.nodeById.get(id)
        if (node?.kind !== 'Task' && node?.kind !== 'External') return 0
        const timeout = typeof record(node).timeout === 'string' ? parseDuration(record(node).timeout as string) : undefined
        return timeout?.ok === true ? timeout.ms : SIMULATED_DEFAULT_MS
      })
      const planKey = `${run.source}:${run.plan?.metadata.uid ?? ''}:${run.plan?.metadata.generation ?? ''}:${JSON.stringify(run.plan?.spec?.graph ?? null).length}:${graph.nodes.length}`
      const layout = cachedLayout(planKey, () => layoutGraph(graph))
      const select = (id: string): void => context.navigate(routeHash(['executions', namespace, name, 'nodes', id]))
      const svg = renderGraph(layout, { phaseOf, critical: new Set(real.nodes), ...(selected === undefined ? {} : { selected }), onSelect: select })
      const planRef = record(execution.spec?.planRef)
      const goalRef = record(execution.spec?.goalRef)
      const selectedNode = selected === undefined ? undefined : graph.nodeById.get(selected)
      const tasks = graph.nodes.filter((node) => node.kind !== 'Group')
      const ranked = [...tasks].sort((a, b) => (PHASE_STYLES[phaseOf(a.id) ?? 'Pending']?.rank ?? 9) - (PHASE_STYLES[phaseOf(b.id) ?? 'Pending']?.rank ?? 9))
      const pathText = (nodes: readonly string[], durationMs: number) => (nodes.length === 0 ? h('p', {}, '—') : h('p', {}, nodes.map((id, i) => [i === 0 ? '' : ' → ', userText(id, 40)]), ` (${formatDuration(durationMs)})`))
      return h(
        'div',
        { class: 'page execution' },
        h('h1', {}, 'Execution ', userText(name, 80), ' ', phaseBadge(status.phase)),
        facts([
          ['Namespace', userText(namespace, 60)],
          ['Plan', typeof planRef.name === 'string' ? [resourceLink('plans', typeof planRef.namespace === 'string' ? planRef.namespace : namespace, planRef.name, 60), run.source === 'pinned' ? ' (the version this run started with)' : ''] : undefined],
          ['Goal', typeof goalRef.name === 'string' ? resourceLink('goals', typeof goalRef.namespace === 'string' ? goalRef.namespace : namespace, goalRef.name, 60) : undefined],
          ['Reason', status.reason === undefined ? undefined : userText(status.reason, 120)],
          ['Message', status.message === undefined ? undefined : userText(status.message, 500)],
          ['Started', status.startTime === undefined ? undefined : formatTime(status.startTime)],
          ['Finished', status.completionTime === undefined ? undefined : formatTime(status.completionTime)],
          ['Run digest', status.runDigest === undefined ? undefined : h('code', {}, userText(status.runDigest, 80))],
        ]),
        h(
          'div',
          { class: selectedNode === undefined ? 'run-layout' : 'run-layout with-panel' },
          h('div', { class: 'graph-scroll card', 'data-testid': 'graph', 'data-nodes': layout.nodes.length }, svg),
          selectedNode === undefined ? null : nodePanel(execution, selectedNode, nowMs, () => context.navigate(routeHash(['executions', namespace, name]))),
        ),
        h(
          'div',
          { class: 'columns' },
          section('Real critical path', h('div', { 'data-testid': 'critical-real' }, pathText(real.nodes, real.durationMs))),
          section('Simulated critical path (from node timeouts)', h('div', { 'data-testid': 'critical-simulated' }, pathText(simulated.nodes, simulated.durationMs))),
        ),
        section(
          'Nodes',
          table(
            ['Node', 'Kind', 'Phase', 'Attempt', 'Duration', 'Reason'],
            ranked.map((node) => {
              const s = nodeStatusOf(execution, node.id)
              const took = elapsedMs(typeof s.startTime === 'string' ? s.startTime : undefined, typeof s.completionTime === 'string' ? s.completionTime : undefined, nowMs)
              return [
                link(['executions', namespace, name, 'nodes', node.id], userText(node.id, 60)),
                node.kind,
                phaseBadge(phaseOf(node.id)),
                typeof s.attempt === 'number' && s.attempt > 0 ? String(s.attempt) : '—',
                took === undefined ? '—' : formatDuration(took),
                typeof s.reason === 'string' ? userText(s.reason, 80) : '—',
              ]
            }),
          ),
        ),
      )
    },
  }
}
