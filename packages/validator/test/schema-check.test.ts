import { describe, expect, it } from 'vitest'
import { validateTexts } from './helpers.js'

const H = 'apiVersion: planspec.io/v1alpha1\n'
const GOAL = `${H}kind: Goal\nmetadata:\n  name: g\nspec:\n  description: d\n`
const PLAN = (node: string) => `${H}kind: Plan\nmetadata: {name: p}\nspec:\n  description: d\n  graph:\n    nodes:\n      - ${node}\n`

/** `code@line:col message` of every finding of one document. */
function check(text: string): string[] {
  return validateTexts({ 'f.yaml': text }).diagnostics.filter((d) => d.code !== 'PS4001').map((d) => `${d.code}@${d.line}:${d.column} ${d.message}`)
}

describe('schema findings: each keyword becomes a coded, positioned, readable finding', () => {
  it.each([
    ['a missing required field, at the parent key', GOAL.replace('  description: d\n', '  priority: 1\n'), ['PS2005@5:1 missing required field "description"']],
    ['an unknown field with a suggestion, at the key', GOAL + '  descripton: x\n', ['PS2004@7:3 unknown field "descripton" (did you mean "description"?)']],
    ['a wrong type', GOAL + '  priority: high\n', ['PS2006@7:13 must be an integer, got "high"']],
    ['a label value that is a number', GOAL.replace('  name: g\n', '  name: g\n  labels: {planspec.io/version: 2}\n'), ['PS2006@5:33 must be a string, got number 2']],
    ['a value outside an enum', PLAN('{id: a, kind: Task, estimatedEffort: huge}'), ['PS2007@8:46 must be one of "small", "medium", "large", "xlarge", got "huge"']],
    ['a wrong apiVersion', GOAL.replace('planspec.io/v1alpha1', 'planspec.io/v1'), ['PS2003@1:13 must be "planspec.io/v1alpha1", got "planspec.io/v1"']],
    ['a bad DNS label', GOAL.replace('name: g', 'name: My_Goal'), ['PS2009@4:9 "My_Goal" is not a DNS label: use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters']],
    ['a bad duration', GOAL + '  timeout: 5 minutes\n', ['PS2010@7:12 "5 minutes" is not a duration; use Go style such as 90s, 1h30m or 168h']],
    ['a bad label key', GOAL.replace('  name: g\n', '  name: g\n  labels: {"-bad": x}\n'), ['PS2011@5:12 "-bad" is not a valid label key']],
    ['a bad output name', PLAN('{id: a, kind: Task, outputs: [Image-Tag]}'), ['PS2008@8:39 "Image-Tag" is not an output name: lowercase letters, digits and "_", starting with a letter, at most 63 characters (e.g. image_tag)']],
    ['a bad URI format', PLAN('{id: a, kind: External, externalRef: {type: uri, uri: "not a uri"}}'), ['PS2008@8:63 "not a uri" is not a valid uri']],
    ['a number above its maximum', PLAN('{id: a, kind: Task, retries: 11}'), ['PS2012@8:38 must be at most 10']],
    ['a list below its minimum', `${H}kind: Binding\nmetadata: {name: b}\nspec:\n  rules: []\n`, ['PS2012@5:10 must have at least 1 item']],
    ['a string above its maximum length', GOAL.replace('description: d', `description: ${'x'.repeat(4097)}`), ['PS2012@6:16 must be at most 4096 characters long']],
    ['duplicate items', PLAN('{id: a, kind: Task, outputs: [x, x]}'), ['PS2014@8:42 items 0 and 1 are the same']],
    ['a Binding selector of no allowed shape', `${H}kind: Binding\nmetadata: {name: b}\nspec:\n  rules:\n    - selector: {nodeId: build}\n      target: {provider: "noop://x"}\n`, ['PS2013@6:17 must match exactly one of the allowed shapes: planRef + nodeId; planRef + capabilityRef; capabilityRef; planRef; matchLabels']],
    ['series without version', PLAN('{id: a, kind: Task}').replace('  description: d\n', '  description: d\n  series: s\n'), ['PS2013@6:3 "series" requires "version"']],
    ['a forbidden field of one variant', `${H}kind: Goal\nmetadata: {name: g}\nspec:\n  description: d\n  planSelector:\n    matchExpressions:\n      - {key: tier, operator: Exists, values: [a]}\n`, ['PS2013@8:39 "values" is not allowed here']],
    ['a Gate status that breaks the invariants', `${H}kind: Gate\nmetadata: {name: g}\nspec:\n  gateType: approval\n  targetRef: {kind: Plan, name: p}\nstatus:\n  phase: Approved\n`, expect.arrayContaining([expect.stringMatching(/^PS2005@\d+:\d+ missing required field "(resolution|decidedGeneration)"$/)])],
  ])('reports %s', (_name, text, expected) => {
    expect(check(text)).toEqual(expected)
  })

  it('reports an unknown field inside a failing union branch once, without noise about its siblings', () => {
    const findings = check(PLAN('{id: a, kind: Task, retries: 2, timeout: 30m, bogus: 1}'))
    expect(findings).toEqual(['PS2004@8:55 unknown field "bogus"'])
  })
})
