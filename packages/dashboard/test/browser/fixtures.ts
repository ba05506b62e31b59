// The resources the browser scenarios run: small plans whose providers are real commands (node -e).
const V = 'planspec.io/v1alpha1'
const NODE = process.execPath

export const TOKENS = {
  admin: 'admin-dashboard-token-5b1e',
  alice: 'alice-dashboard-token-8c2d',
  carol: 'carol-dashboard-token-0f9a',
  dan: 'dan-dashboard-token-77e3',
} as const

/** admin bypasses RBAC; alice edits (a reviewer of release-gate); carol may only read; dan may approve gates but is no reviewer. */
export const TOKENS_CSV = [`${TOKENS.admin},admin,system:masters`, `${TOKENS.alice},alice,acme/editors`, `${TOKENS.carol},carol,acme/dev`, `${TOKENS.dan},dan,acme/ops`].join('\n')

export const RBAC = [
  { apiVersion: V, kind: 'ClusterRole', metadata: { name: 'viewer' }, rules: [{ resources: ['*'], verbs: ['get', 'list', 'watch'] }] },
  { apiVersion: V, kind: 'ClusterRole', metadata: { name: 'approver' }, rules: [{ resources: ['gates'], verbs: ['approve'] }] },
  {
    apiVersion: V,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'viewers' },
    subjects: ['acme/editors', 'acme/dev', 'acme/ops'].map((name) => ({ kind: 'Group', name })),
    roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'viewer' },
  },
  { apiVersion: V, kind: 'ClusterRoleBinding', metadata: { name: 'approvers' }, subjects: ['acme/editors', 'acme/ops'].map((name) => ({ kind: 'Group', name })), roleRef: { apiGroup: 'planspec.io', kind: 'ClusterRole', name: 'approver' } },
]

const script = (code: string) => ({ command: [NODE, '-e', code] })
const sleepThen = (ms: number, outputs: object) => script(`setTimeout(() => console.log(${JSON.stringify(JSON.stringify(outputs))}), ${ms})`)

type Node = Record<string, unknown>
const task = (id: string, extra: Node = {}): Node => ({ id, kind: 'Task', capabilityRefs: [{ name: 'work' }], ...extra })
const plan = (name: string, nodes: Node[], extra: Node = {}) => ({ apiVersion: V, kind: 'Plan', metadata: { name }, spec: { description: `plan ${name}`, graph: { nodes }, ...extra } })
const execution = (name: string, planName: string, extra: Node = {}) => ({ apiVersion: V, kind: 'Execution', metadata: { name }, spec: { planRef: { name: planName }, bindingRef: { name: 'workers' }, ...extra } })
const rule = (planName: string, nodeId: string, provider: string, config: object) => ({ selector: { planRef: { name: planName }, nodeId }, target: { provider, config } })

/** Bidi override, script tags and a 10,000-character string: what a hostile manifest carries. */
export const HOSTILE_NAME = '\u202Egnp.exe<script>window.__pwned = 1</script>'
export const HOSTILE_LONG = `<img src=x onerror="window.__pwned = 2">${'W'.repeat(10_000)}`

/** The 200-node plan of the first-paint measurement: 20 layers of 10 tasks, each hard-linked to two of the layer above. */
function bigPlan(): { plan: object; rules: object[] } {
  const nodes: Node[] = []
  for (let layer = 0; layer < 20; layer++) {
    for (let i = 0; i < 10; i++) {
      const dependsOn = layer === 0 ? [] : [`n${layer - 1}-${i}`, `n${layer - 1}-${(i + 3) % 10}`]
      nodes.push(task(`n${layer}-${i}`, { name: `Step ${layer}.${i}`, ...(dependsOn.length ? { dependsOn } : {}) }))
    }
  }
  return { plan: plan('big', nodes), rules: [{ selector: { planRef: { name: 'big' } }, target: { provider: 'noop://big', config: { outputs: {} } } }] }
}

/** Everything the serve scenarios need, in one apply batch. */
export function serveResources(): object[] {
  const big = bigPlan()
  return [
    { apiVersion: V, kind: 'Capability', metadata: { name: 'work' }, spec: { description: 'Work done by commands' } },
    plan('live', [task('fetch', { name: 'Fetch sources', timeout: '2m' }), task('build', { name: 'Build', dependsOn: ['fetch'], timeout: '5m' }), task('publish', { name: 'Publish', dependsOn: ['build'] })]),
    plan('gated', [task('prepare'), { id: 'approval', kind: 'Gate', name: 'Release approval', dependsOn: ['prepare'], gateRef: { name: 'release-gate' } }, task('ship', { dependsOn: ['approval'], outputs: ['url'] })]),
    plan('failing', [task('compile', { name: 'Compile', retries: 0 }), task('package', { dependsOn: ['compile'] })]),
    plan('hostile', [task('evil', { name: HOSTILE_NAME, inputs: { payload: HOSTILE_LONG }, outputs: ['html'] }), { id: 'grp', kind: 'Group', name: HOSTILE_NAME, children: ['evil'] }], { description: HOSTILE_LONG.slice(0, 4000) }),
    big.plan,
    { apiVersion: V, kind: 'Goal', metadata: { name: 'ship-app' }, spec: { description: 'Ship the app every week' } },
    plan('release-v1', [task('cut', { name: 'Cut the release' })], { goalRef: { name: 'ship-app' }, series: 'release', version: '1.0.0' }),
    plan('release-v2', [task('cut', { name: 'Cut the release' }), task('announce', { dependsOn: ['cut'] })], { goalRef: { name: 'ship-app' }, series: 'release', version: '2.0.0' }),
    { apiVersion: V, kind: 'Gate', metadata: { name: 'release-gate' }, spec: { gateType: 'approval', description: 'Ship the release', targetRef: { kind: 'Execution', name: 'gated-1' }, reviewers: ['team:acme/editors'] } },
    {
      apiVersion: V,
      kind: 'Binding',
      metadata: { name: 'workers' },
      spec: {
        rules: [
          rule('live', 'fetch', 'exec://node', sleepThen(2500, { files: 12 })),
          rule('live', 'build', 'exec://node', sleepThen(2500, { artifact: 'app.tar' })),
          rule('live', 'publish', 'exec://node', sleepThen(2500, { url: 'https://example.invalid/app' })),
          rule('gated', 'prepare', 'noop://prepare', { outputs: {} }),
          rule('gated', 'ship', 'noop://ship', { outputs: { url: 'https://example.invalid/release' } }),
          rule('failing', 'compile', 'exec://node', script("console.log('compiling 42 files'); console.error('error: disk full while writing out/app.o'); process.exit(3)")),
          rule('failing', 'package', 'noop://package', { outputs: {} }),
          rule('hostile', 'evil', 'noop://evil', { outputs: { html: HOSTILE_LONG, 'x-note': HOSTILE_NAME } }),
          ...big.rules,
          { selector: { planRef: { name: 'release-v2' } }, target: { provider: 'noop://release', config: { outputs: {} } } },
        ],
      },
    },
    execution('gated-1', 'gated'),
    execution('failing-1', 'failing'),
    execution('hostile-1', 'hostile', { parameters: { note: HOSTILE_LONG } }),
    execution('big-1', 'big'),
    execution('release-2', 'release-v2', { goalRef: { name: 'ship-app' } }),
  ]
}

/** The Execution whose progress the live scenario watches, applied on its own when the page is open. */
export function liveExecution(): object {
  return execution('live-1', 'live')
}
