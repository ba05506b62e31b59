import { DEFAULT_LIMITS, parseYamlFile } from '@planspec/validator'

type Node = Record<string, unknown>
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : {})

/**
 * The workflow lint of THREATS T15: no `pull_request_target` with a checkout, no
 * `${{ github.event.* }}` inside `run:`, a `permissions:` block, and every remote action pinned by
 * a full commit SHA. Returns the problems found in one workflow.
 */
export function lintWorkflow(text: string): string[] {
  const value = asNode(parseYamlFile('workflow.yml', text, DEFAULT_LIMITS).documents[0]?.value)
  const problems: string[] = []
  const on = value['on']
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : Object.keys(asNode(on))
  const jobs = Object.entries(asNode(value['jobs']))
  const steps = jobs.flatMap(([, job]) => (Array.isArray(asNode(job)['steps']) ? (asNode(job)['steps'] as unknown[]).map(asNode) : []))
  if (value['permissions'] === undefined && jobs.some(([, job]) => asNode(job)['permissions'] === undefined)) problems.push('no permissions: block')
  if (events.includes('pull_request_target') && steps.some((s) => String(s['uses'] ?? '').startsWith('actions/checkout@'))) problems.push('pull_request_target with a checkout')
  for (const step of steps) {
    if (typeof step['run'] === 'string' && /\$\{\{\s*github\.event\./.test(step['run'])) problems.push(`github.event inside run: ${step['run'].slice(0, 40)}`)
    const uses = step['uses']
    if (typeof uses === 'string' && !uses.startsWith('./') && !uses.startsWith('docker://') && !/@[0-9a-f]{40}$/.test(uses)) problems.push(`action not pinned by SHA: ${uses}`)
  }
  return problems
}

