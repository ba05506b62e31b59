import { NODE } from './helpers.js'

/**
 * A repository of `count` Executions of one two-task plan (a → b) whose tasks run a real command
 * that appends its run id to `ledger`: every dispatch leaves one line, so tests count dispatches.
 */
export function ledgerRepository(ledger: string, count: number, options: { sleepMs?: number } = {}): Record<string, string> {
  const script = `require('fs').appendFileSync(${JSON.stringify(ledger)}, process.env.PLANSPEC_RUN_ID + '\\n'); setTimeout(() => console.log(JSON.stringify({ ok: true })), ${options.sleepMs ?? 0})`
  const files: Record<string, string> = {
    'goal.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: { name: g }\nspec: { description: A goal }\n',
    'capability.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Capability\nmetadata: { name: work }\nspec: { description: Work }\n',
    'plan.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata: { name: p }\nspec:\n  description: Two steps\n  goalRef: { name: g }\n  graph:\n    nodes:\n      - { id: a, kind: Task, capabilityRefs: [{ name: work }], outputs: [ok] }\n      - { id: b, kind: Task, capabilityRefs: [{ name: work }], dependsOn: [a], outputs: [ok] }\n',
    'binding.yaml': `apiVersion: planspec.io/v1alpha1\nkind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: work } }\n      target:\n        provider: exec://ledger\n        config: { command: ${JSON.stringify([NODE, '-e', script])} }\n`,
  }
  for (let i = 0; i < count; i++) files[`executions/e${i}.yaml`] = `apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: { name: e${i} }\nspec:\n  goalRef: { name: g }\n  planRef: { name: p }\n  bindingRef: { name: b }\n`
  return files
}
