import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's multi-team example: eight teams, a 22-node launch plan, Gates in a List. */
export const MULTI_TEAM_EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/multi-team')

export const LAUNCH_PLAN = 'planspec/plans/payments-launch-v2.yaml'
export const LAUNCH_GATES = 'planspec/gates/launch-gates.yaml'

/** Replaces `from` with `to` in `text`, failing loudly when the example no longer has `from`. */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the multi-team example changed: "${from.slice(0, 60)}" not found`)
  return text.replace(from, to)
}

/**
 * A realistic pull request on the multi-team example: a canary step before the progressive
 * rollout (a node added and the rollout rewired), a load test renamed to say what it measures
 * (a node changed), and the security review asking for a third approval from a new reviewer.
 */
export function multiTeamChange(): { path: string; base: string; head: string }[] {
  const plan = readFileSync(join(MULTI_TEAM_EXAMPLE, LAUNCH_PLAN), 'utf8')
  const gates = readFileSync(join(MULTI_TEAM_EXAMPLE, LAUNCH_GATES), 'utf8')
  let head = edit(plan, 'name: Peak-traffic load test\n', 'name: Peak-traffic load test (2x Black Friday)\n')
  head = edit(
    head,
    '      - id: flag-rollout\n        kind: Task\n        name: Progressive traffic rollout\n        description: Move EU checkout traffic to 2.0 in steps, aborting automatically if the error rate climbs.\n        dependsOn: [smoke-prod]\n',
    [
      '      - id: canary',
      '        kind: Task',
      '        name: "Canary: 5% of EU merchants for 24h"',
      '        description: Route 5% of EU checkout traffic to 2.0 for a day before the progressive rollout.',
      '        dependsOn: [smoke-prod]',
      "        when: 'nodes.production.phase == \"Succeeded\"'",
      '        capabilityRefs:',
      '          - name: feature-flag-rollout',
      '        timeout: 24h',
      '',
      '      - id: flag-rollout',
      '        kind: Task',
      '        name: Progressive traffic rollout',
      '        description: Move EU checkout traffic to 2.0 in steps, aborting automatically if the error rate climbs.',
      '        dependsOn: [canary]',
      '',
    ].join('\n'),
  )
  const gatesHead = edit(edit(gates, '        - user:amara-okafor\n      requiredApprovers: 2\n', '        - user:amara-okafor\n        - user:li-wei\n      requiredApprovers: 3\n'), 'kind: Gate\n    metadata:\n      name: payments-security-review', 'kind: Gate\n    metadata:\n      name: payments-security-review')
  return [
    { path: LAUNCH_PLAN, base: plan, head },
    { path: LAUNCH_GATES, base: gates, head: gatesHead },
  ]
}

/**
 * A pure rename on the multi-team example: the launch plan `payments-launch-v2` becomes
 * `payments-launch-eu`, and the Execution and the Bindings that name it follow.
 */
export function multiTeamRename(): { path: string; base: string; head: string }[] {
  const files = [LAUNCH_PLAN, 'planspec/executions/payments-launch-eu-001.yaml', 'planspec/bindings/payments-default.yaml', 'planspec/bindings/payments-prod-overrides.yaml']
  return files.map((path) => {
    const base = readFileSync(join(MULTI_TEAM_EXAMPLE, path), 'utf8')
    return { path, base, head: edit(base, 'payments-launch-v2', 'payments-launch-eu').replaceAll('payments-launch-v2', 'payments-launch-eu') }
  })
}
