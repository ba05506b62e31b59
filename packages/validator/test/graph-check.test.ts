import { describe, expect, it } from 'vitest'
import { PLAN, validateTexts } from './helpers.js'

/** Replaces the nodes/edges section of PLAN. */
function plan(graph: string): string {
  return PLAN.slice(0, PLAN.indexOf('  graph:\n')) + '  graph:\n' + graph
}
function check(text: string, options = {}): string[] {
  return validateTexts({ 'plan.yaml': text }, options).diagnostics.filter((d) => d.code !== 'PS4001').map((d) => `${d.code}@${d.line}:${d.column} ${d.message}`)
}

describe('graph rules of a Plan', () => {
  it('accepts the reference plan with every node kind', () => {
    expect(check(PLAN)).toEqual([])
  })

  it.each([
    ['duplicate node ids (G1)', '    nodes:\n      - {id: a, kind: Task}\n      - {id: a, kind: Task}\n', ['PS3001@11:14 node id "a" is already used by node 0']],
    ['an edge to an unknown node (G2)', '    nodes:\n      - {id: a, kind: Task}\n    edges:\n      - {from: a, to: zz}\n', ['PS3002@12:23 edge to "zz", which is not a node of this plan']],
    ['a self-loop edge (G3)', '    nodes:\n      - {id: a, kind: Task}\n    edges:\n      - {from: a, to: a}\n', ['PS3005@12:9 edge from "a" to itself']],
    ['dependsOn itself (G3)', '    nodes:\n      - {id: a, kind: Task, dependsOn: [a]}\n', ['PS3005@10:41 node "a" depends on itself']],
    ['dependsOn an unknown node (G7)', '    nodes:\n      - {id: a, kind: Task, dependsOn: [b, nope]}\n      - {id: b, kind: Task}\n', ['PS3003@10:44 dependsOn names "nope", which is not a node of this plan']],
    ['an unknown group child (G6)', '    nodes:\n      - {id: a, kind: Task}\n      - {id: g, kind: Group, children: [a, ghost]}\n', ['PS3004@11:44 child "ghost" is not a node of this plan']],
    ['a duplicate edge (G5)', '    nodes:\n      - {id: a, kind: Task}\n      - {id: b, kind: Task, dependsOn: [a]}\n    edges:\n      - {from: a, to: b}\n      - {from: a, to: b}\n', ['PS3007@14:9 duplicate edge from "a" to "b"']],
    ['nothing for dependsOn repeating an explicit edge (RESOURCES 2.8)', '    nodes:\n      - {id: a, kind: Task}\n      - {id: b, kind: Task, dependsOn: [a]}\n    edges:\n      - {from: a, to: b, type: soft}\n', []],
    ['an edge touching a group', '    nodes:\n      - {id: a, kind: Task}\n      - {id: g, kind: Group, children: [a]}\n      - {id: b, kind: Task, dependsOn: [g]}\n', ['PS3008@12:41 dependsOn names group "g"; groups create no edges, depend on its children instead']],
    ['a group containing itself', '    nodes:\n      - {id: a, kind: Task}\n      - {id: g, kind: Group, children: [a, h]}\n      - {id: h, kind: Group, children: [g]}\n', ['PS3009@11:40 group cycle: g ⊃ h ⊃ g']],
  ])('reports %s at the offending node', (_name, graph, expected) => {
    expect(check(plan(graph))).toEqual(expected)
  })

  it('reports a cycle through dependsOn and edges with its path', () => {
    const text = plan('    nodes:\n      - {id: a, kind: Task, dependsOn: [c]}\n      - {id: b, kind: Task, dependsOn: [a]}\n      - {id: c, kind: Task}\n    edges:\n      - {from: b, to: c, type: soft}\n')
    const [finding] = check(text)
    expect(finding).toMatch(/^PS3006@\d+:\d+ cycle: (a → b → c → a|b → c → a → b|c → a → b → c)$/)
  })

  it('reports when and template expressions that do not parse, at the failing character', () => {
    const text = plan('    nodes:\n      - id: a\n        kind: Task\n        when: "params.x =="\n')
    expect(check(text)).toEqual([expect.stringMatching(/^PS3010@12:\d+ when is not a valid CEL expression/)])
  })

  it('reports references to nodes that are not hard ancestors, including soft-edge predecessors', () => {
    const text = plan('    nodes:\n      - {id: a, kind: Task, outputs: [x]}\n      - {id: b, kind: Task, outputs: [y]}\n      - id: c\n        kind: Task\n        when: nodes.a.outputs.x == "1" && nodes.b.phase == "Succeeded"\n    edges:\n      - {from: a, to: c}\n      - {from: b, to: c, type: soft}\n')
    expect(check(text)).toEqual(['PS3011@14:43 nodes.b is not a hard ancestor of "c"; add an edge or dependsOn so it finishes first'])
  })

  it('reports undeclared outputs and unknown variables in templates, positioned inside the string', () => {
    const text = plan('    nodes:\n      - {id: a, kind: Task, outputs: [x]}\n      - id: c\n        kind: Task\n        dependsOn: [a]\n        inputs:\n          v: "${{ nodes.a.outputs.y }}"\n          w: ["${{ env.HOME }}"]\n          z: "${{ nodes.a.outputs.x"\n')
    expect(check(text)).toEqual([
      'PS3012@15:19 nodes.a.outputs.y is not declared (it declares x)',
      'PS3013@16:20 unknown variable "env"; expressions may use params, inputs, nodes and goal',
      'PS3014@17:15 template "${{" has no closing "}}"',
    ])
  })

  it('follows ancestors transitively and allows params, inputs and goal', () => {
    const text = plan('    nodes:\n      - {id: a, kind: Task, outputs: [x]}\n      - {id: b, kind: Task, dependsOn: [a]}\n      - id: c\n        kind: Task\n        dependsOn: [b]\n        when: nodes.a.outputs.x == params["x-region"] && goal.tier == inputs.tier && [1].all(n, n > 0)\n')
    expect(check(text)).toEqual([])
  })

  it('reports reserved input keys and duplicate criterion ids', () => {
    const text = plan('    nodes:\n      - id: a\n        kind: Task\n        inputs: {_internal: 1}\n        acceptanceCriteria:\n          - {type: command_succeeds, id: c1, name: n, command: make, outputMatch: "ok"}\n          - {type: artifact_exists, id: c1, name: m, path: out.txt}\n')
    expect(check(text)).toEqual(['PS3016@12:18 input key "_internal" starts with "_", which is reserved for the system', 'PS2016@15:41 criterion id "c1" is already used by criterion 0'])
  })

  it('reports an invalid regular expression at the pattern', () => {
    const text = plan('    nodes:\n      - id: a\n        kind: Task\n        acceptanceCriteria:\n          - {type: command_succeeds, name: n, command: make, outputMatch: "(["}\n')
    expect(check(text)).toEqual(['PS2017@13:75 "([" is not a valid regular expression'])
  })

  it('checks graphDigest against the canonical graph and offers the right digest as a fix', () => {
    const text = PLAN.replace('  graph:\n', '  graphDigest: sha256:' + '0'.repeat(64) + '\n  graph:\n')
    const result = validateTexts({ 'plan.yaml': text })
    const digest = result.diagnostics.find((d) => d.code === 'PS3015')!
    expect(digest.line).toBe(8)
    const fixed = (digest.fix!.edits[0] as { value: string }).value
    expect(validateTexts({ 'plan.yaml': text.replace('0'.repeat(64), fixed.slice(7)) }).diagnostics.filter((d) => d.code === 'PS3015')).toEqual([])
  })

  it('reports every finding, not just the first', () => {
    const text = plan('    nodes:\n      - {id: a, kind: Task, dependsOn: [x, y, z]}\n      - {id: a, kind: Task}\n')
    expect(check(text).map((f) => f.split('@')[0])).toEqual(['PS3003', 'PS3003', 'PS3003', 'PS3001'])
  })
})
