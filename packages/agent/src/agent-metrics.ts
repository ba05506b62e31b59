import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/** The agent's Prometheus metrics, on a registry of their own (no global state). */
export interface AgentMetrics {
  readonly registry: Registry
  readonly syncs: Counter<'result'>
  readonly syncSeconds: Histogram
  readonly conflicts: Counter
  readonly transitions: Counter<'phase'>
  readonly running: Gauge
  readonly leased: Gauge
  readonly lastSuccess: Gauge
}

/**
 * Creates the agent's metrics: sync rounds by result and their duration, status-branch push
 * conflicts, node transitions by phase, Executions running and leased, and the time of the last
 * successful round. Served at `/metrics` with `--listen`.
 *
 * @example
 * const metrics = createAgentMetrics()
 * metrics.syncs.inc({ result: 'ok' })
 */
export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry()
  return {
    registry,
    syncs: new Counter({ name: 'planspec_agent_syncs_total', help: 'Sync rounds, by result (ok, error).', labelNames: ['result'], registers: [registry] }),
    syncSeconds: new Histogram({ name: 'planspec_agent_sync_duration_seconds', help: 'Duration of sync rounds.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
    conflicts: new Counter({ name: 'planspec_agent_status_conflicts_total', help: 'Status pushes rejected because the branch moved (retried).', registers: [registry] }),
    transitions: new Counter({ name: 'planspec_agent_node_transitions_total', help: 'Node phase transitions, by new phase.', labelNames: ['phase'], registers: [registry] }),
    running: new Gauge({ name: 'planspec_agent_executions_running', help: 'Executions this agent is running now.', registers: [registry] }),
    leased: new Gauge({ name: 'planspec_agent_executions_leased', help: 'Executions whose lease this agent holds.', registers: [registry] }),
    lastSuccess: new Gauge({ name: 'planspec_agent_last_success_timestamp_seconds', help: 'Time of the last successful sync round.', registers: [registry] }),
  }
}
