// Deterministic generator of realistic PlanSpec manifests for benchmarks: mixed kinds, plans of 5
// to 200 nodes with every node kind, dependsOn layering, soft edges, `when` and `${{ }}` inputs.

/** A small deterministic PRNG (mulberry32), so every run measures the same inputs. */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const H = 'apiVersion: planspec.io/v1alpha1\n'

function planYaml(name, size, random, team) {
  const lines = [`${H}kind: Plan`, 'metadata:', `  name: ${name}`, `  namespace: ${team}`, '  labels:', `    planspec.io/team: ${team}`, '    planspec.io/environment: prod', 'spec:', `  description: Delivery plan ${name} with ${size} nodes`, `  goalRef: { name: goal-${name} }`, '  graph:', '    nodes:']
  const ids = []
  const tasks = new Set()
  const depsOf = new Map()
  for (let i = 0; i < size; i++) {
    const id = `n${i}`
    const deps = []
    if (i > 0) {
      const fanIn = 1 + Math.floor(random() * Math.min(3, i))
      for (let d = 0; d < fanIn; d++) {
        const dep = ids[Math.max(0, i - 1 - Math.floor(random() * Math.min(8, i)))]
        if (!deps.includes(dep)) deps.push(dep)
      }
    }
    depsOf.set(id, deps)
    const roll = random()
    if (roll < 0.06 && i > 0) {
      lines.push(`      - id: ${id}`, '        kind: Gate', `        name: Approval ${i}`, `        gateRef: { name: gate-${name} }`, `        dependsOn: [${deps.join(', ')}]`)
    } else if (roll < 0.1) {
      lines.push(`      - id: ${id}`, '        kind: External', '        externalRef:', '          type: webhook', `          webhookUrl: "https://status.example.org/${name}/${i}"`, '        pollInterval: 5m', '        timeout: 24h')
      if (deps.length) lines.push(`        dependsOn: [${deps.join(', ')}]`)
    } else {
      lines.push(`      - id: ${id}`, '        kind: Task', `        name: Step ${i} of ${name}`, `        description: Does part ${i} of the work for ${name}`, '        capabilityRefs:', `          - name: cap-${i % 7}`, '        outputs: [result, artifact_url]', `        retries: ${i % 3}`, '        timeout: 30m', '        estimatedEffort: medium')
      tasks.add(id)
      if (deps.length) {
        lines.push(`        dependsOn: [${deps.join(', ')}]`)
        const producer = deps.find((d) => tasks.has(d))
        lines.push('        inputs:', producer ? `          previous: "\${{ nodes.${producer}.outputs.result }}"` : '          previous: none', `          region: "\${{ params['x-region'] }}"`)
        if (producer && random() < 0.3) lines.push(`        when: nodes.${producer}.outputs.result != "" && params["x-region"] == "eu"`)
      }
      if (random() < 0.2) lines.push('        acceptanceCriteria:', '          - type: command_succeeds', '            name: unit tests pass', '            command: npm', '            args: [test]', '            outputMatch: "passed"')
    }
    ids.push(id)
  }
  lines.push(`      - id: g${size}`, '        kind: Group', '        mode: sequence', `        children: [${ids.slice(0, Math.min(5, ids.length)).join(', ')}]`)
  lines.push('    edges:')
  // Soft edges only between nodes with no dependsOn between them (an explicit edge would win).
  let soft = 0
  for (let i = 2; i < size; i += 9) {
    if (depsOf.get(`n${i}`).includes(`n${i - 2}`)) continue
    lines.push(`      - { from: n${i - 2}, to: n${i}, type: soft }`)
    soft++
  }
  if (soft === 0) lines.push('      []')
  return lines.join('\n') + '\n'
}

/**
 * Generates `count` manifests as `{ file, text }`, about 30% Plans (5-200 nodes), the rest Goals,
 * Capabilities, Bindings, Gates and Executions that reference them.
 */
export function generateManifests(count, seed = 42) {
  const random = prng(seed)
  const files = []
  let i = 0
  while (files.length < count) {
    const team = `team-${i % 20}`
    const name = `plan-${i}`
    const size = 5 + Math.floor(Math.pow(random(), 2) * 196)
    files.push({ file: `${team}/plans/${name}.yaml`, text: planYaml(name, size, random, team) })
    files.push({ file: `${team}/goals/goal-${name}.yaml`, text: `${H}kind: Goal\nmetadata:\n  name: goal-${name}\n  namespace: ${team}\nspec:\n  description: Ship ${name} to production\n  timeout: 168h\n  priority: ${i % 100}\n  acceptanceCriteria:\n    - id: shipped\n      description: The release is live\n` })
    files.push({ file: `${team}/gates/gate-${name}.yaml`, text: `${H}kind: Gate\nmetadata:\n  name: gate-${name}\n  namespace: ${team}\nspec:\n  gateType: approval\n  description: Release approval for ${name}\n  targetRef: { kind: Plan, name: ${name} }\n  reviewers: ["team:acme/${team}", "user:octocat"]\n  requiredApprovers: 2\n` })
    files.push({ file: `${team}/executions/run-${name}.yaml`, text: `${H}kind: Execution\nmetadata:\n  name: run-${name}\n  namespace: ${team}\nspec:\n  planRef: { name: ${name} }\n  goalRef: { name: goal-${name} }\n  bindingRef: { name: providers }\n  parameters:\n    x-region: eu\n` })
    if (i < 20) {
      for (let c = 0; c < 7; c++) files.push({ file: `${team}/capabilities/cap-${c}.yaml`, text: `${H}kind: Capability\nmetadata:\n  name: cap-${c}\n  namespace: ${team}\nspec:\n  description: Capability ${c}\n  category: delivery\n  inputs:\n    - name: previous\n      type: string\n  outputs:\n    - name: result\n      type: string\n  requirements: [${c > 0 ? `{ name: cap-${c - 1} }` : ''}]\n` })
      files.push({ file: `${team}/bindings/providers.yaml`, text: `${H}kind: Binding\nmetadata:\n  name: providers\n  namespace: ${team}\nspec:\n  rules:\n${Array.from({ length: 7 }, (_, c) => `    - selector: { capabilityRef: { name: cap-${c} } }\n      target: { provider: "noop://cap-${c}" }\n`).join('')}` })
    }
    i++
  }
  return files.slice(0, count)
}
