/** Options of {@link ledgerRepository}. */
export interface LedgerRepositoryOptions {
  /** The file every dispatch appends its run id to. */
  readonly ledger: string
  /** How many Executions of the plan (`e0`, `e1`, ...). */
  readonly executions: number
  /** Tasks in the chain `a → b → c ...` (default 2). */
  readonly steps?: number
  /** `retries` of every task (default none). */
  readonly retries?: number
  /** How long each command works before it answers (default 0). */
  readonly sleepMs?: number
  /** The node executable the commands run (default this process's). */
  readonly node?: string
}

/**
 * Builds the files of a manifest repository whose Executions run a chain of tasks through a real
 * command (`exec://ledger`) that appends its run id (`PLANSPEC_RUN_ID`) to a ledger file before
 * answering: every dispatch leaves exactly one line, so tests count dispatches and find any
 * attempt dispatched twice.
 *
 * @example
 * await pushFixture({ remote: bare, files: ledgerRepository({ ledger, executions: 4 }) })
 */
export function ledgerRepository(options: LedgerRepositoryOptions): Record<string, string> {
  const node = options.node ?? process.execPath
  const steps = options.steps ?? 2
  const script = `require('fs').appendFileSync(${JSON.stringify(options.ledger)}, process.env.PLANSPEC_RUN_ID + '\\n'); setTimeout(() => console.log(JSON.stringify({ ok: true })), ${options.sleepMs ?? 0})`
  const ids = Array.from({ length: steps }, (_, i) => String.fromCharCode(97 + i))
  const retries = options.retries === undefined ? '' : `retries: ${options.retries}, `
  const nodes = ids.map((id, i) => `      - { id: ${id}, kind: Task, ${retries}capabilityRefs: [{ name: work }], ${i === 0 ? '' : `dependsOn: [${ids[i - 1]}], `}outputs: [ok] }`).join('\n')
  const files: Record<string, string> = {
    'goal.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Goal\nmetadata: { name: g }\nspec: { description: A goal }\n',
    'capability.yaml': 'apiVersion: planspec.io/v1alpha1\nkind: Capability\nmetadata: { name: work }\nspec: { description: Work }\n',
    'plan.yaml': `apiVersion: planspec.io/v1alpha1\nkind: Plan\nmetadata: { name: p }\nspec:\n  description: ${steps} steps\n  goalRef: { name: g }\n  graph:\n    nodes:\n${nodes}\n`,
    'binding.yaml': `apiVersion: planspec.io/v1alpha1\nkind: Binding\nmetadata: { name: b }\nspec:\n  rules:\n    - selector: { capabilityRef: { name: work } }\n      target:\n        provider: exec://ledger\n        config: { command: ${JSON.stringify([node, '-e', script])} }\n`,
  }
  for (let i = 0; i < options.executions; i++) files[`executions/e${i}.yaml`] = `apiVersion: planspec.io/v1alpha1\nkind: Execution\nmetadata: { name: e${i} }\nspec:\n  goalRef: { name: g }\n  planRef: { name: p }\n  bindingRef: { name: b }\n`
  return files
}
