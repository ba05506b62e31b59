import { randomBytes } from 'node:crypto'
import { stringify } from 'yaml'
import { MCP_ERRORS, ToolError } from '../tool-error.js'
import { DIAGNOSTIC_SCHEMA, kindRef, NAME_SCHEMA, withResourceDefs } from '../tool-schemas.js'
import type { ToolContext, ToolDefinition } from '../types.js'
import { requireValid } from './manifest-tools.js'
import { refusedError, text } from './outcome.js'
import { requireResource } from './resource-tools.js'

type Obj = Record<string, unknown>
const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {})

const PREVIEW = { type: 'object', required: ['kind', 'name', 'action'], properties: { kind: { type: 'string' }, namespace: { type: 'string' }, name: { type: 'string' }, action: { enum: ['created', 'configured', 'unchanged'] } } }

/** `propose_plan`: a Plan (and an Execution) for people to review; never applied directly. */
export const proposePlan: ToolDefinition = {
  name: 'propose_plan',
  title: 'Propose a plan',
  description: 'Proposes a Plan (and optionally an Execution that runs it) for people to review; it is never applied directly. Both are validated first (errors refuse the proposal with their diagnostics). In git mode they are committed (signed with this identity\'s key) on a new branch, and a pull request is opened when the server is configured with a GitHub repository: the plan runs only once people merge it. Against a server, the API previews what applying them would do (a dry run). Validate and simulate a draft first.',
  inputSchema: withResourceDefs({
    type: 'object',
    required: ['plan'],
    properties: { plan: kindRef('Plan'), execution: kindRef('Execution'), title: { type: 'string', minLength: 1, maxLength: 200 }, description: { type: 'string', maxLength: 8192, description: 'Why: the body of the commit and pull request.' }, branch: { ...NAME_SCHEMA, description: 'Name of the proposal branch under planspec/proposals/ (default: the plan name and a random suffix).' } },
    additionalProperties: false,
  }),
  outputSchema: {
    type: 'object',
    required: ['mode', 'files', 'diagnostics'],
    properties: {
      mode: { enum: ['git', 'server'] },
      branch: { type: 'string' },
      base: { type: 'string' },
      commit: { type: 'string' },
      pullRequest: { type: 'object', required: ['number', 'url'], properties: { number: { type: 'integer' }, url: { type: 'string' } } },
      files: { type: 'array', items: { type: 'string' } },
      preview: { type: 'array', items: PREVIEW },
      diagnostics: { type: 'array', items: DIAGNOSTIC_SCHEMA, description: 'Warnings (a proposal with errors is refused).' },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, context) {
    const plan = obj(args.plan)
    const execution = args.execution === undefined ? undefined : obj(args.execution)
    const planName = String(obj(plan.metadata).name)
    const files = await proposalFiles(context, plan, execution)
    const result = context.deps.validator.validate([...files].map(([file, content]) => ({ file, text: content })))
    requireValid(result)
    const warnings = result.diagnostics.slice(0, context.limits.maxItems)
    if (context.deps.client.mode === 'server' || context.deps.proposals === undefined) {
      const preview = await context.deps.client.dryRunApply([plan, ...(execution ? [execution] : [])])
      return { mode: 'server', files: [...files.keys()], preview, diagnostics: warnings }
    }
    const identity = (await context.deps.client.whoami()).subject
    const title = text(args, 'title') ?? `Propose plan ${planName}`
    const why = text(args, 'description')
    const branch = `planspec/proposals/${text(args, 'branch') ?? `${planName}-${randomBytes(3).toString('hex')}`}`
    const message = `${title}\n\n${why ? `${why}\n\n` : ''}Proposed by ${identity} through ${context.via}; validated with ${result.summary.warnings} warning(s). Nothing runs until people merge it.\n`
    const proposed = await context.deps.proposals.propose({ branch, files, message })
    const preview = await context.deps.client.dryRunApply([plan, ...(execution ? [execution] : [])])
    const pullRequest = context.deps.proposals.openPullRequest === undefined ? undefined : await context.deps.proposals.openPullRequest({ head: proposed.branch, base: context.deps.proposals.base, title, body: pullRequestBody(why, identity, context.via, [...files.keys()], preview) })
    return { mode: 'git', branch: proposed.branch, base: context.deps.proposals.base, commit: proposed.commit, ...(pullRequest ? { pullRequest } : {}), files: [...files.keys()], preview, diagnostics: warnings }
  },
}

/** The files of a proposal: each resource as YAML, beside the repository's existing ones of its kind. */
async function proposalFiles(context: ToolContext, plan: Obj, execution: Obj | undefined): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const resource of [plan, ...(execution ? [execution] : [])]) {
    const kind = String(resource.kind)
    const name = String(obj(resource.metadata).name)
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new ToolError(MCP_ERRORS.invalidInput, 'InvalidName', `${kind} name ${JSON.stringify(name.slice(0, 80))} is not a DNS label`)
    const { status: _status, ...manifest } = resource
    files.set(`${await directoryOf(context, kind)}/${name}.yaml`, stringify(manifest, { lineWidth: 0 }))
  }
  return files
}

/** Where the repository keeps resources of a kind: the folder of an existing one, else `planspec/<plural>`. */
async function directoryOf(context: ToolContext, kind: string): Promise<string> {
  const existing = context.deps.client.mode === 'git' ? (await context.deps.client.list(kind)).find((r) => typeof r.file === 'string' && r.file.includes('/')) : undefined
  return existing?.file === undefined ? `planspec/${kind.toLowerCase()}s` : existing.file.slice(0, existing.file.lastIndexOf('/'))
}

function pullRequestBody(why: string | undefined, identity: string, via: string, files: readonly string[], preview: readonly { kind: string; name: string; action: string }[]): string {
  return [
    why ?? 'A plan proposed by an AI agent.',
    '',
    `Proposed by \`${identity}\` through \`${via}\` (PlanSpec MCP server). The manifests were validated; nothing runs until this pull request is merged.`,
    '',
    ...files.map((file) => `- \`${file}\``),
    '',
    ...preview.map((p) => `${p.kind.toLowerCase()}/${p.name} would be ${p.action}`),
  ].join('\n')
}

/** `request_approval`: tell people a Gate waits for them. */
export const requestApproval: ToolDefinition = {
  name: 'request_approval',
  title: 'Ask people to approve',
  description: "Records that a Gate waits for people: a comment in the Gate's review history (shown by describe, on the pull request's progress comment and in the dashboard) naming you, your MCP client and your message. It never approves; people decide.",
  inputSchema: { type: 'object', required: ['gate', 'message'], properties: { gate: NAME_SCHEMA, namespace: NAME_SCHEMA, execution: { ...NAME_SCHEMA, description: 'The waiting Execution the approval is for (default: the one waiting).' }, message: { type: 'string', minLength: 1, maxLength: 4000, description: 'What to review and why it is ready.' } }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['requested', 'gate', 'reviewers'], properties: { requested: { const: true }, gate: { type: 'string' }, execution: { type: 'string' }, reviewers: { type: 'array', items: { type: 'string' } }, request: { type: 'string' }, pullRequest: { type: 'object', required: ['number', 'url'], properties: { number: { type: 'integer' }, url: { type: 'string' } } } } },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, context) {
    const identity = (await context.deps.client.whoami()).subject
    const namespace = text(args, 'namespace')
    const execution = text(args, 'execution')
    const gate = await requireResource(context, 'Gate', text(args, 'gate')!, namespace)
    const outcome = await context.deps.client.request('comment', { kind: 'Gate', name: gate.name, namespace: gate.namespace, ...(execution ? { execution } : {}) }, { via: context.via, comment: `Approval requested by ${identity}: ${text(args, 'message')!}`.slice(0, 4096) })
    if (outcome.status !== 'recorded') throw outcome.status === 'refused' ? refusedError(outcome) : new ToolError(MCP_ERRORS.refused, 'DryRun', 'nothing was recorded')
    const reviewers = (Array.isArray(obj(gate.object.spec).reviewers) ? obj(gate.object.spec).reviewers : []) as string[]
    const runName = outcome.execution ?? execution
    const pullRequest = runName === undefined ? undefined : await announce(context, gate.namespace, runName, `**Approval requested** for gate \`${gate.name}\` of Execution \`${runName}\` by \`${identity}\` (through \`${context.via}\`):\n\n> ${text(args, 'message')!.replace(/\n/g, '\n> ')}\n\nReviewers: ${reviewers.map((r) => `\`${r}\``).join(', ') || 'anyone with write access'}. An AI agent cannot approve it; decide with \`planspec approve ${gate.name} --execution ${runName}\` or \`/planspec approve ${gate.name}\`.`)
    return { requested: true, gate: `${gate.namespace}/${gate.name}`, ...(runName ? { execution: runName } : {}), reviewers, request: outcome.id, ...(pullRequest ? { pullRequest } : {}) }
  },
}

/** Comments on the pull request that brought the Execution (git mode with a GitHub repository), if there is one. */
async function announce(context: ToolContext, namespace: string, execution: string, body: string): Promise<{ readonly number: number; readonly url: string } | undefined> {
  if (context.deps.proposals?.announce === undefined) return undefined
  const run = await context.deps.client.get('Execution', execution, namespace)
  return run?.introducedIn === undefined ? undefined : context.deps.proposals.announce(run.introducedIn, body)
}

/** `review_gate`: decide a Gate, which an agent may only as a svc: reviewer the Gate names. */
export const reviewGate: ToolDefinition = {
  name: 'review_gate',
  title: 'Approve or reject a Gate',
  description: "Approves or rejects a Gate. An AI agent may decide a Gate only when the Gate's reviewers name its own svc: identity; any other attempt is refused AgentCannotDecide (even when its identity is listed another way) and recorded in the Gate's review history so people see it. Separation of duties, quorum and eligibility apply as for people.",
  inputSchema: { type: 'object', required: ['gate', 'decision'], properties: { gate: NAME_SCHEMA, decision: { enum: ['approve', 'reject'] }, namespace: NAME_SCHEMA, execution: NAME_SCHEMA, comment: { type: 'string', maxLength: 4000 } }, additionalProperties: false },
  outputSchema: { type: 'object', required: ['recorded', 'gate', 'decision'], properties: { recorded: { const: true }, gate: { type: 'string' }, decision: { enum: ['approve', 'reject'] }, execution: { type: 'string' }, request: { type: 'string' }, counted: { type: 'boolean' } } },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run(args, context) {
    const decision = text(args, 'decision') as 'approve' | 'reject'
    const namespace = text(args, 'namespace')
    const execution = text(args, 'execution')
    const comment = text(args, 'comment')
    const outcome = await context.deps.client.request(decision, { kind: 'Gate', name: text(args, 'gate')!, ...(namespace ? { namespace } : {}), ...(execution ? { execution } : {}) }, { via: context.via, recordRefused: true, ...(comment ? { comment } : {}) })
    if (outcome.status !== 'recorded') throw outcome.status === 'refused' ? refusedError(outcome) : new ToolError(MCP_ERRORS.refused, 'DryRun', 'nothing was recorded')
    return { recorded: true, gate: `${outcome.namespace}/${text(args, 'gate')!}`, decision, ...(outcome.execution ? { execution: outcome.execution } : {}), request: outcome.id, ...(outcome.counted === undefined ? {} : { counted: outcome.counted }) }
  },
}
