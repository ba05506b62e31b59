import { ACCEPTANCE_KEY, INPUTS_KEY, LOG_KEY, type GraphNodeLike } from '@planspec/core'
import type { Resource } from '../api-client.js'
import { h, link } from '../dom.js'
import { elapsedMs, formatDuration, formatTime } from '../model/display-text.js'
import { maskSecrets } from '../model/mask-secrets.js'
import { nodeStatusOf, record } from '../model/run-plan.js'
import { facts, jsonBlock, phaseBadge, userText } from '../widgets.js'

/**
 * The panel of one node of a run: phase, reason and message, attempts (of `retries + 1`), start,
 * end and duration, the inputs it was dispatched with (else as written in the plan), its outputs
 * (secrets masked), its acceptance criteria with their results, and the log the engine kept of
 * the last attempt (the tail of its output, secrets masked by the engine) or its message.
 */
export function nodePanel(execution: Resource, node: GraphNodeLike, nowMs: number, onClose: () => void): HTMLElement {
  const status = nodeStatusOf(execution, node.id)
  const spec = record(node as unknown)
  const extensions = record(status.extensions)
  const retries = typeof spec.retries === 'number' ? spec.retries : 0
  const attempt = typeof status.attempt === 'number' ? status.attempt : 0
  const start = typeof status.startTime === 'string' ? status.startTime : undefined
  const end = typeof status.completionTime === 'string' ? status.completionTime : undefined
  const took = elapsedMs(start, end, nowMs)
  const inputs = extensions[INPUTS_KEY] ?? spec.inputs
  const outputs = status.outputs
  const criteria = (Array.isArray(spec.acceptanceCriteria) ? spec.acceptanceCriteria : []).map(record)
  const results = (Array.isArray(extensions[ACCEPTANCE_KEY]) ? (extensions[ACCEPTANCE_KEY] as unknown[]) : []).map(record)
  const logEntry = record(extensions[LOG_KEY])
  const log = typeof logEntry.text === 'string' ? logEntry.text : undefined
  const logAttempt = typeof logEntry.attempt === 'number' ? logEntry.attempt : undefined
  const message = typeof status.message === 'string' ? status.message : undefined
  const gateRef = record(spec.gateRef)
  const namespace = execution.metadata.namespace ?? 'default'
  return h(
    'aside',
    { class: 'node-panel card', 'aria-label': `Node ${node.id}`, 'data-testid': 'node-panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, 'Node ', userText(node.id, 60)), h('button', { type: 'button', class: 'close', 'aria-label': 'Close the node panel', onclick: onClose }, '×')),
    facts([
      ['Kind', node.kind],
      ['Name', node.name === undefined ? undefined : userText(node.name, 120)],
      ['Phase', phaseBadge(status.phase)],
      ['Reason', typeof status.reason === 'string' ? userText(status.reason, 120) : undefined],
      ['Attempt', node.kind === 'Task' ? `${attempt} of ${retries + 1}` : undefined],
      ['Started', start === undefined ? undefined : formatTime(start)],
      ['Finished', end === undefined ? undefined : formatTime(end)],
      ['Duration', took === undefined ? undefined : `${formatDuration(took)}${end === undefined ? ' so far' : ''}`],
      ['Gate', typeof gateRef.name === 'string' ? link(['gates', typeof gateRef.namespace === 'string' ? gateRef.namespace : namespace, gateRef.name], userText(gateRef.name, 60)) : undefined],
    ]),
    message === undefined ? null : h('div', {}, h('h3', {}, 'Message'), h('p', { class: 'message' }, userText(message, 4096))),
    h('h3', {}, extensions[INPUTS_KEY] === undefined ? 'Inputs (as written in the plan)' : 'Inputs'),
    inputs === undefined ? h('p', {}, 'None.') : jsonBlock(maskSecrets(inputs)),
    h('h3', {}, 'Outputs'),
    outputs === undefined ? h('p', {}, 'None yet.') : jsonBlock(maskSecrets(outputs)),
    criteria.length === 0
      ? null
      : h(
          'div',
          {},
          h('h3', {}, 'Acceptance criteria'),
          h(
            'ul',
            { class: 'plain' },
            criteria.map((criterion, index) => {
              const name = typeof criterion.name === 'string' ? criterion.name : `#${index + 1}`
              const result = results.find((r) => r.name === name)
              const verdict = result === undefined ? 'not checked' : result.passed === true ? '✔ passed' : '✖ failed'
              return h('li', {}, userText(name, 80), ` (${criterion.required === false ? 'optional' : 'required'}): ${verdict}`, result !== undefined && typeof result.message === 'string' ? [' — ', userText(result.message, 300)] : null)
            }),
          ),
        ),
    h('h3', {}, logAttempt === undefined ? 'Log' : `Log of attempt ${logAttempt}`),
    log !== undefined
      ? h('pre', { class: 'log', 'data-testid': 'node-log', tabindex: 0 }, userText(log, 64_000))
      : h('p', { 'data-testid': 'node-log' }, message === undefined ? 'No log recorded.' : ['No output was kept; the last message: ', userText(message, 4096)]),
  )
}
