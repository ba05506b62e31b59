// Benchmark: the execution engine (core's reconcile + the runner) over large and many DAGs with
// noop providers, against a bare topological walk of the same graphs measured in the same run.
import { normalizeGraph } from '@planspec/core'
import { createCelEvaluator, runExecution } from '@planspec/engine'
import { prng } from './generate-manifests.mjs'

function dag(size, seed) {
  const random = prng(seed)
  const nodes = []
  for (let i = 0; i < size; i++) {
    const deps = new Set()
    for (let d = 0; d < Math.min(i, 1 + Math.floor(random() * 3)); d++) deps.add(`n${Math.max(0, i - 1 - Math.floor(random() * Math.min(10, i)))}`)
    nodes.push({ id: `n${i}`, kind: 'Task', dependsOn: [...deps] })
  }
  return { nodes }
}

const noop = { schemes: ['noop'], dispatch: async () => ({ outcome: 'succeeded', outputs: {} }) }

function runOne(graph, uid) {
  const normalized = normalizeGraph(graph)
  let clock = 0
  let transitions = 0
  return runExecution(
    { uid, graph: normalized, specHash: 'sha256:x', parameters: {}, bindings: new Map(graph.nodes.map((n) => [n.id, { outcome: 'bound', provider: 'noop://x', claimable: false }])), declaredOutputs: new Map(), retryPolicy: { baseMs: 1, factor: 2, capMs: 1 } },
    {
      providers: { forUri: () => noop },
      evaluate: createCelEvaluator(),
      now: () => ++clock,
      sleep: async () => {},
      workspace: '/tmp',
    },
  ).then((status) => {
    if (status.phase !== 'Succeeded') throw new Error(`run ${uid} ended ${status.phase}`)
    // Counted from the final status, not per change, so the count costs the engine nothing:
    // each attempt is two transitions (to Running, then to its outcome).
    for (const s of Object.values(status.nodeStatuses ?? {})) transitions += 2 * (s.attempt ?? 0)
    return transitions
  })
}

/** The baseline: Kahn's walk of the same graph, awaiting the same noop dispatch per node. */
async function bareWalk(graph) {
  const indegree = new Map(graph.nodes.map((n) => [n.id, n.dependsOn.length]))
  const dependents = new Map(graph.nodes.map((n) => [n.id, []]))
  for (const n of graph.nodes) for (const d of n.dependsOn) dependents.get(d).push(n.id)
  let ready = graph.nodes.filter((n) => n.dependsOn.length === 0).map((n) => n.id)
  let done = 0
  while (ready.length) {
    const next = []
    await Promise.all(ready.map(() => noop.dispatch()))
    for (const id of ready) {
      done++
      for (const d of dependents.get(id)) if (indegree.set(d, indegree.get(d) - 1).get(d) === 0) next.push(d)
    }
    ready = next
  }
  return done * 2 // the same two transitions per node: Running, Succeeded
}

async function time(fn) {
  const start = process.hrtime.bigint()
  const result = await fn()
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result }
}

/** Runs the benchmark and prints its figures. */
export async function run() {
  console.log('engine: noop providers, virtual clock; per-transition cost against a bare topological walk')
  const perSize = []
  for (const size of [250, 500, 1000, 2000]) {
    const graph = dag(size, size)
    await runOne(dag(50, 1), 'warm')
    const engine = await time(() => runOne(graph, `big-${size}`))
    const bare = await time(() => bareWalk(graph))
    const perTransition = (engine.ms - bare.ms) / engine.result
    perSize.push({ size, perTransition })
    console.log(`  ${size}-node DAG: engine ${engine.ms.toFixed(0)} ms for ${engine.result} transitions (${(engine.ms / engine.result).toFixed(3)} ms each); bare walk ${bare.ms.toFixed(1)} ms; overhead ${perTransition.toFixed(3)} ms per transition`)
  }
  // Linear growth means a flat cost per transition: report how it moves as the graph doubles.
  const growth = perSize.slice(1).map((p, i) => `${perSize[i].size}->${p.size}: x${(p.perTransition / perSize[i].perTransition).toFixed(2)}`)
  console.log(`  overhead per transition as the graph doubles (1.00 = linear total cost): ${growth.join(', ')}`)
  const graphs = Array.from({ length: 200 }, (_, i) => dag(20, 1000 + i))
  const engine = await time(async () => (await Promise.all(graphs.map((g, i) => runOne(g, `c-${i}`)))).reduce((a, b) => a + b, 0))
  const bare = await time(async () => (await Promise.all(graphs.map((g) => bareWalk(g)))).reduce((a, b) => a + b, 0))
  console.log(`  200 concurrent Executions of 20 nodes: engine ${engine.ms.toFixed(0)} ms for ${engine.result} transitions (${(engine.ms / engine.result).toFixed(3)} ms each); bare walk ${bare.ms.toFixed(1)} ms; overhead ${((engine.ms - bare.ms) / engine.result).toFixed(3)} ms per transition (goal <= 5 ms)`)
}
