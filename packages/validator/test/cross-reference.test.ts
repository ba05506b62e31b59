import { describe, expect, it } from 'vitest'
import { validateTexts } from './helpers.js'

const H = 'apiVersion: planspec.io/v1alpha1\n'
const goal = (name: string) => `${H}kind: Goal\nmetadata: {name: ${name}}\nspec: {description: d}\n`
const cap = (name: string, requires: string[] = []) => `${H}kind: Capability\nmetadata: {name: ${name}}\nspec:\n  description: d\n  requirements: [${requires.map((r) => `{name: ${r}}`).join(', ')}]\n`
const plan = (name: string, extra = '', nodes = '[{id: build, kind: Task, capabilityRefs: [{name: builder}]}]') =>
  `${H}kind: Plan\nmetadata: {name: ${name}, labels: {tier: gold}}\nspec:\n  description: d\n${extra}  graph:\n    nodes: ${nodes}\n`

function run(files: Record<string, string>, options = {}): string[] {
  return validateTexts(files, options).diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}${d.severity === 'warning' ? '(w)' : ''} ${d.message}`)
}

describe('cross-reference checks over the whole file set', () => {
  it('resolves references between files with namespace defaulting, and reports none when all exist', () => {
    const files = {
      'goal.yaml': goal('ship'),
      'cap.yaml': cap('builder'),
      'plan.yaml': plan('ship-v1', '  goalRef: {name: ship}\n'),
      'binding.yaml': `${H}kind: Binding\nmetadata: {name: b}\nspec:\n  rules:\n    - selector: {planRef: {name: ship-v1}, nodeId: build}\n      target: {provider: "noop://x"}\n`,
      'exec.yaml': `${H}kind: Execution\nmetadata: {name: run-1}\nspec:\n  planRef: {name: ship-v1}\n  goalRef: {name: ship}\n  bindingRef: {name: b}\n  nodeBindings: {build: {name: b}}\n`,
    }
    expect(run(files, { closed: true })).toEqual([])
  })

  it('warns about references outside the set, and fails on them with closed', () => {
    const files = { 'plan.yaml': plan('p', '  goalRef: {name: missing}\n') }
    expect(run(files)).toEqual([
      'plan.yaml:6:19 PS4001(w) Goal "default/missing" is not in the validated files',
      'plan.yaml:8:61 PS4001(w) Capability "default/builder" is not in the validated files',
    ])
    expect(run(files, { closed: true }).every((l) => l.includes(' PS4001 '))).toBe(true)
  })

  it('leaves references outside the set out with outsideReferences: false, and still reports the others', () => {
    const files = {
      'plan.yaml': plan('p', '  goalRef: {name: missing}\n'),
      'exec.yaml': `${H}kind: Execution\nmetadata: {name: run-1}\nspec:\n  planRef: {name: p, namespace: other}\n`,
    }
    expect(run(files, { outsideReferences: false })).toEqual(['exec.yaml:5:33 PS4005 an Execution runs a Plan of its own namespace "default", not "other"'])
    expect(run(files, { outsideReferences: false, closed: true })).toEqual(run(files, { outsideReferences: false }))
  })

  it('uses the repository default namespace for files that omit it', () => {
    const files = { 'goal.yaml': goal('g'), 'plan.yaml': plan('p', '  goalRef: {name: g, namespace: team}\n', '[{id: a, kind: Task}]') }
    expect(run(files, { defaultNamespace: 'team' })).toEqual([])
    expect(run(files)).toEqual(['plan.yaml:6:19 PS4001(w) Goal "team/g" is not in the validated files'])
  })

  it('reports duplicate resources across files', () => {
    expect(run({ 'a.yaml': goal('g'), 'b.yaml': goal('g') })).toEqual(['b.yaml:3:18 PS4002 Goal "default/g" is also defined in a.yaml'])
  })

  it('reports node ids that are not nodes of the referenced plan', () => {
    const files = {
      'plan.yaml': plan('p', '', '[{id: a, kind: Task}]'),
      'binding.yaml': `${H}kind: Binding\nmetadata: {name: b}\nspec:\n  rules:\n    - selector: {planRef: {name: p}, nodeId: nope}\n      target: {provider: "noop://x"}\n`,
      'exec.yaml': `${H}kind: Execution\nmetadata: {name: e}\nspec:\n  planRef: {name: p}\n  nodeBindings: {ghost: {name: b}}\n`,
      'gate.yaml': `${H}kind: Gate\nmetadata: {name: g}\nspec:\n  gateType: approval\n  targetRef: {kind: Execution, name: e, nodeId: phantom}\n`,
    }
    expect(run(files)).toEqual([
      'binding.yaml:6:46 PS4003 node "nope" is not a node of plan "p"',
      'exec.yaml:6:18 PS4003 node "ghost" is not a node of plan "p"',
      'gate.yaml:6:49 PS4003 node "phantom" is not a node of plan "p"',
    ])
  })

  it('reports a capability requirement cycle with its path', () => {
    const files = { 'a.yaml': cap('a', ['b']), 'b.yaml': cap('b', ['c']), 'c.yaml': cap('c', ['a']) }
    expect(run(files)).toEqual(['a.yaml:6:18 PS4004 capability requirement cycle: default/a → default/b → default/c → default/a'])
  })

  it('never reports a missing optional requirement', () => {
    const text = `${H}kind: Capability\nmetadata: {name: a}\nspec:\n  description: d\n  requirements: [{name: maybe, optional: true}, {name: must}]\n`
    expect(run({ 'a.yaml': text })).toEqual(['a.yaml:6:56 PS4001(w) Capability "default/must" is not in the validated files'])
  })

  it('reports an Execution that runs a plan of another namespace', () => {
    const text = `${H}kind: Execution\nmetadata: {name: e, namespace: a}\nspec:\n  planRef: {name: p, namespace: b}\n`
    expect(run({ 'e.yaml': text })).toEqual(['e.yaml:5:19 PS4001(w) Plan "b/p" is not in the validated files', 'e.yaml:5:33 PS4005 an Execution runs a Plan of its own namespace "a", not "b"'])
  })

  it('checks plan series: duplicate versions, supersedes across series and supersedes cycles', () => {
    const series = (name: string, s: string, v: string, supersedes?: string) => plan(name, `  series: ${s}\n  version: "${v}"\n${supersedes ? `  supersedes: [{name: ${supersedes}}]\n` : ''}`, '[{id: a, kind: Task}]')
    expect(run({ 'a.yaml': series('a-v1', 'a', '1'), 'b.yaml': series('a-v1b', 'a', '1') })).toEqual(['b.yaml:7:12 PS4006 version "1" of series "a" is also plan "a-v1"'])
    expect(run({ 'a.yaml': series('a-v1', 'a', '1'), 'b.yaml': series('b-v2', 'b', '2', 'a-v1') })).toEqual(['b.yaml:8:16 PS4007(w) supersedes "a-v1" of series "a", not "b"'])
    expect(run({ 'x.yaml': series('x-v1', 'x', '1', 'x-v2'), 'y.yaml': series('x-v2', 'x', '2', 'x-v1') })).toEqual([
      'x.yaml:8:16 PS4008 supersedes cycle: x-v1 → x-v2 → x-v1',
      'y.yaml:8:16 PS4008 supersedes cycle: x-v2 → x-v1 → x-v2',
    ])
  })

  it('warns about unknown provider schemes and reports ties under ErrorOnConflict', () => {
    const files = {
      'cap.yaml': cap('builder'),
      'plan.yaml': plan('p'),
      'binding.yaml': `${H}kind: Binding\nmetadata: {name: b}\nspec:\n  strategy: ErrorOnConflict\n  rules:\n    - selector: {capabilityRef: {name: builder}}\n      target: {provider: "ftp://old"}\n    - selector: {capabilityRef: {name: builder}}\n      target: {provider: "noop://x"}\n`,
      'exec.yaml': `${H}kind: Execution\nmetadata: {name: e}\nspec:\n  planRef: {name: p}\n  bindingRef: {name: b}\n`,
    }
    expect(run(files)).toEqual([
      'binding.yaml:8:26 PS4009(w) provider "ftp://old" has no known scheme (exec, tool, http, https, mcp, human, agent, noop); at run time its nodes fail with UnknownProvider',
      'exec.yaml:6:15 PS4011 binding "b" has tied rules 0, 1 for capability "builder" of node "build" under ErrorOnConflict',
    ])
  })

  it('reports ties only for the bindings that error on them, the Execution\'s own or a node\'s override', () => {
    const binding = (name: string, strategy: string) => `${H}kind: Binding\nmetadata: {name: ${name}}\nspec:\n${strategy}  rules:\n    - selector: {capabilityRef: {name: builder}}\n      target: {provider: "noop://a"}\n    - selector: {capabilityRef: {name: builder}}\n      target: {provider: "noop://b"}\n`
    const files = {
      'cap.yaml': cap('builder'),
      'plan.yaml': plan('p'),
      'first.yaml': binding('first', ''),
      'strict.yaml': binding('strict', '  strategy: ErrorOnConflict\n'),
    }
    const exec = (extra: string) => `${H}kind: Execution\nmetadata: {name: e}\nspec:\n  planRef: {name: p}\n  bindingRef: {name: first}\n${extra}`
    expect(run({ ...files, 'exec.yaml': exec('') })).toEqual([])
    expect(run({ ...files, 'exec.yaml': exec('  nodeBindings:\n    build: {name: strict}\n') })).toEqual(['exec.yaml:8:12 PS4011 binding "strict" has tied rules 0, 1 for capability "builder" of node "build" under ErrorOnConflict'])
  })

  it('reports a reference whose kind cannot be the target of the field', () => {
    const text = plan('p', '', '[{id: g, kind: Gate, gateRef: {name: x, kind: Plan}}]')
    expect(run({ 'p.yaml': text })).toEqual(['p.yaml:7:58 PS4010 must reference a Gate, not a Plan'])
  })
})
