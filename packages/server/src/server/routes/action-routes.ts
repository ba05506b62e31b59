import { checkClaim, checkCompletion, checkRequester, type StoredResource } from '@planspec/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { StoreTransaction } from '../../store/api-store.js'
import { invalid } from '../admit-object.js'
import { CANCEL_ANNOTATION, CLAIM_ANNOTATION_PREFIX, COMPLETE_ANNOTATION_PREFIX, RETRY_ANNOTATION, RETRY_NODES_ANNOTATION } from '../admit-status.js'
import { ApiError } from '../error-catalog.js'
import { missingTarget, reviewGate } from '../gate-review.js'
import { API_PREFIX, kindByName } from '../kinds.js'
import { isDryRun, setWarnings } from '../route-helpers.js'
import { fixedNameParams, objectResponses, writeQuerySchema } from '../route-schemas.js'
import { authorize } from '../server-context.js'
import type { Identity } from '../tokens.js'
import { readObject, subjectOf } from '../write-object.js'
import { claimHolder, declaredOutputs, nodeRequesterPolicy } from './declared-outputs.js'

const EXECUTIONS = kindByName('Execution')!
const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])
const NODE_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** The client an action came through (`mcp:NAME/VERSION`): audit only, never an identity. */
const VIA = { type: 'string', pattern: '^[A-Za-z0-9._:@/+-]{1,128}$' } as const

type Action<B> = FastifyRequest<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: B | undefined }>
interface ReviewBody {
  readonly comment?: string
  readonly targetGeneration?: number
  readonly execution?: string
  readonly digest?: string
  readonly via?: string
}
interface RetryBody {
  readonly nodes?: readonly string[]
}

const reviewBody = {
  type: ['object', 'null'],
  properties: {
    comment: { type: 'string', maxLength: 4096 },
    targetGeneration: { type: 'integer', minimum: 0 },
    execution: { type: 'string', minLength: 1, maxLength: 63 },
    digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    via: VIA,
  },
  additionalProperties: false,
} as const
const retryBody = {
  type: ['object', 'null'],
  properties: { nodes: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 63 } } },
  additionalProperties: false,
} as const
const cancelBody = { type: ['object', 'null'], additionalProperties: false } as const
const completeBody = {
  type: 'object',
  required: ['node'],
  properties: {
    node: { type: 'string', maxLength: 63 },
    outputs: { type: 'object', maxProperties: 100 },
    failed: { type: 'boolean' },
    message: { type: 'string', maxLength: 4096 },
    via: VIA,
  },
  additionalProperties: false,
} as const
const claimBody = {
  type: 'object',
  required: ['node'],
  properties: { node: { type: 'string', maxLength: 63 }, via: VIA },
  additionalProperties: false,
} as const

/** What each refusal of a review action means, for the Status cause. */
const REFUSAL_MESSAGES: Readonly<Record<string, string>> = {
  SelfApproval: 'the author of the change that started the run may not decide its gate',
  NotEligible: 'you are not an eligible reviewer of this gate',
  StaleGeneration: 'the action targets an older generation of the gate',
  DigestMismatch: 'the action names another run digest than the Execution runs',
  NotWaiting: 'no such Execution waits on this gate',
  AlreadyDecided: 'the gate is already decided for this Execution',
  AgentCannotDecide: 'an AI agent decides a gate only when its reviewers name the agent with svc:',
}

/**
 * Registers the action routes: `POST .../gates/NAME/approve|reject` (verb `approve` on gates)
 * and `POST .../executions/NAME/cancel|retry` (verb `update` on executions, DECISIONS §8).
 * - approve/reject record the action in `status.reviewHistory` and decide the Gate with core's
 *   rules; an action that is recorded but does not count answers 403 (`SelfApproval`,
 *   `NotEligible`) or 409 (`StaleGeneration`), with the reason as the Status cause.
 * - cancel sets the annotation `planspec.io/cancel: "true"` (409 on a finished Execution).
 * - retry, on a `Failed` Execution only (else 409), sets `planspec.io/retry` to the request time and,
 *   with `nodes`, `planspec.io/retry-nodes`; a controller re-opens the run from there.
 * - claim (`POST .../executions/NAME/claim`, verb `update`), for a node waiting for a worker only
 *   (else 409): the first claim holds the node, `planspec.io/claim.<node>` = `{ by, at, via? }`; a
 *   claim by someone else is 409 with cause `AlreadyClaimed` (claiming again is a no-op).
 * - complete (`POST .../executions/NAME/complete`, verb `update`), for a node waiting for a worker
 *   only (else 409), sets `planspec.io/complete.<node>` to `{ outputs?, failed?, message?, by, at, via? }`;
 *   refused 409 `ClaimedByOther` when someone else holds the node's claim, and 422 `MissingOutputs`
 *   when a successful completion leaves out an output the node declares (core's `checkClaim` and
 *   `checkCompletion`, as in git mode).
 * - comment (`POST .../gates/NAME/comment`, verb `update` on executions in the Gate's namespace):
 *   a note in the Gate's review history that never decides (an agent asking people to review).
 * Every body may name the client it came through in `via`; it is recorded, never trusted.
 */
export async function actionRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const { store } = context

  const review = (action: 'approve' | 'reject') => async (request: Action<ReviewBody>, reply: FastifyReply): Promise<StoredResource> => {
    const { namespace, name } = request.params
    const identity = authorize(context, request, { verb: 'approve', resource: 'gates', namespace, name })
    const body = request.body ?? {}
    const { gate, counted, refusals, missing } = await store.transact(
      (tx) => {
        const reviewed = reviewGate(
          tx,
          {
            namespace,
            name,
            action,
            identity,
            ...(body.comment === undefined ? {} : { comment: body.comment }),
            ...(body.targetGeneration === undefined ? {} : { targetGeneration: body.targetGeneration }),
            ...(body.execution === undefined ? {} : { execution: body.execution }),
            ...(body.digest === undefined ? {} : { digest: body.digest }),
            ...(body.via === undefined ? {} : { via: body.via }),
          },
          { tokens: context.tokens, authorizer: context.authorizer, now: context.now() },
        )
        return { ...reviewed, missing: missingTarget(tx, reviewed.gate) }
      },
      { dryRun: isDryRun(request.query) },
    )
    // A targetRef naming nothing is reported (it plays no part in who may decide).
    if (missing !== undefined) setWarnings(reply, [missing])
    const refusal = refusals[0]
    if (counted === 0 && refusal !== undefined) {
      const causes = refusals.map((r) => ({ reason: r.reason, message: `${REFUSAL_MESSAGES[r.reason] ?? r.reason}${r.execution === undefined ? '' : ` (execution ${r.execution.name})`}; the action was recorded but does not count` }))
      const forbidden = refusal.reason === 'SelfApproval' || refusal.reason === 'NotEligible' || refusal.reason === 'AgentCannotDecide'
      throw new ApiError(forbidden ? 'Forbidden' : 'Conflict', `${action} of gate ${JSON.stringify(name)} does not count: ${refusal.reason}`, { name, group: 'planspec.io', kind: 'gates', causes })
    }
    return gate
  }
  const schema = (body: object) => ({ params: fixedNameParams, querystring: writeQuerySchema, body, response: objectResponses() })
  const config = { mediaTypes: ['application/json'] }
  app.post(`${API_PREFIX}/namespaces/:namespace/gates/:name/approve`, { schema: schema(reviewBody), config }, review('approve'))
  app.post(`${API_PREFIX}/namespaces/:namespace/gates/:name/reject`, { schema: schema(reviewBody), config }, review('reject'))

  const annotate = (request: Action<unknown>, change: (execution: StoredResource, phase: string | undefined, tx: StoreTransaction) => Record<string, string | undefined> | undefined): Promise<StoredResource> => {
    const { namespace, name } = request.params
    authorize(context, request, { verb: 'update', resource: 'executions', namespace, name })
    return store.transact(
      (tx) => {
        const execution = readObject(tx, EXECUTIONS, { kind: 'Execution', namespace, name })
        const annotations = change(execution, (execution.status as { phase?: string } | undefined)?.phase, tx)
        if (annotations === undefined) return execution
        const { status: _status, ...rest } = execution
        const merged = Object.fromEntries(Object.entries({ ...execution.metadata.annotations, ...annotations }).filter(([, value]) => value !== undefined))
        return tx.update({ ...rest, metadata: { ...execution.metadata, annotations: merged } })
      },
      { dryRun: isDryRun(request.query) },
    )
  }
  // The cause's reason is the one git mode's checks give for the same refusal (`Finished`, `NotFailed`, `NotWaiting`).
  const conflict = (name: string, message: string, reason: string): ApiError => new ApiError('Conflict', message, { name, group: 'planspec.io', kind: 'executions', causes: [{ reason, message }] })
  const claimConflict = (name: string, reason: string, message: string): ApiError => new ApiError('Conflict', message, { name, group: 'planspec.io', kind: 'executions', causes: [{ reason, message }] })
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: undefined }>(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/cancel`,
    { schema: schema(cancelBody), config },
    (request) =>
      annotate(request, (execution, phase) => {
        if (TERMINAL.has(phase ?? '')) throw conflict(execution.metadata.name, `execution ${JSON.stringify(execution.metadata.name)} has already finished (${phase})`, 'Finished')
        return execution.metadata.annotations?.[CANCEL_ANNOTATION] === 'true' ? undefined : { [CANCEL_ANNOTATION]: 'true' }
      }),
  )
  // Claimable work (DECISIONS §4): a worker completes a node that waits for one (Blocked,
  // AwaitingClaim). Recorded as an annotation the Execution controller reads; 409 otherwise.
  /** The node must wait for a worker (Blocked, AwaitingClaim); returns the subject holding its claim, if any. */
  const waitingNode = (execution: StoredResource, node: string): string | undefined => {
    if (!NODE_ID.test(node)) throw invalid(EXECUTIONS, execution.metadata.name, [{ reason: 'FieldValueInvalid', message: `${JSON.stringify(node)} is not a node id`, field: 'node' }])
    const waiting = (execution.status as { nodeStatuses?: Record<string, { phase?: string; reason?: string }> } | undefined)?.nodeStatuses?.[node]
    if (waiting?.phase !== 'Blocked' || waiting.reason !== 'AwaitingClaim') throw conflict(execution.metadata.name, `node ${JSON.stringify(node)} of execution ${JSON.stringify(execution.metadata.name)} is not waiting for a worker (${waiting?.phase ?? 'unknown'})`, 'NotWaiting')
    return claimHolder(execution, node)
  }
  /** Refuses (403 `NotEligible`) an identity the node's target does not name and no Gate of its plan lists as a reviewer. */
  const mustBeEligible = (tx: StoreTransaction, execution: StoredResource, node: string, identity: Identity, kind: 'claim' | 'complete'): void => {
    if (checkRequester(subjectOf(identity), kind, nodeRequesterPolicy(tx, execution, node, context.tokens)) === undefined) return
    const message = `${subjectOf(identity)} may not ${kind} node ${JSON.stringify(node)}: the node's target does not name it and it reviews no Gate of the plan`
    throw new ApiError('Forbidden', message, { name: execution.metadata.name, group: 'planspec.io', kind: 'executions', causes: [{ reason: 'NotEligible', message }] })
  }
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: { node: string; via?: string } }>(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/claim`,
    { schema: schema(claimBody), config },
    (request) => {
      const { namespace, name } = request.params
      const identity = authorize(context, request, { verb: 'update', resource: 'executions', namespace, name })
      return annotate(request, (execution, _phase, tx) => {
        const { node, via } = request.body
        const holder = waitingNode(execution, node)
        mustBeEligible(tx, execution, node, identity, 'claim')
        if (checkClaim(subjectOf(identity), 'claim', holder) !== undefined) throw claimConflict(execution.metadata.name, 'AlreadyClaimed', `node ${JSON.stringify(node)} is already claimed by ${holder}`)
        if (holder !== undefined) return undefined
        return { [`${CLAIM_ANNOTATION_PREFIX}${node}`]: JSON.stringify({ by: subjectOf(identity), at: context.now(), ...(via === undefined ? {} : { via }) }) }
      })
    },
  )
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: { node: string; outputs?: Record<string, unknown>; failed?: boolean; message?: string; via?: string } }>(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/complete`,
    { schema: schema(completeBody), config },
    (request) => {
      const { namespace, name } = request.params
      const identity = authorize(context, request, { verb: 'update', resource: 'executions', namespace, name })
      return annotate(request, (execution, _phase, tx) => {
        const { node, outputs, failed, message, via } = request.body
        const holder = waitingNode(execution, node)
        mustBeEligible(tx, execution, node, identity, 'complete')
        if (checkClaim(subjectOf(identity), 'complete', holder) !== undefined) throw claimConflict(execution.metadata.name, 'ClaimedByOther', `node ${JSON.stringify(node)} is claimed by ${holder}`)
        const missing = checkCompletion(declaredOutputs(tx, execution, node), outputs, failed === true)
        if (missing !== undefined) throw invalid(EXECUTIONS, execution.metadata.name, [{ reason: missing.reason, message: `the node declares outputs that are missing: ${missing.missing.join(', ')}`, field: 'outputs' }])
        const record = { ...(outputs === undefined ? {} : { outputs }), ...(failed === undefined ? {} : { failed }), ...(message === undefined ? {} : { message }), by: identity.user, at: context.now(), ...(via === undefined ? {} : { via }) }
        return { [`${COMPLETE_ANNOTATION_PREFIX}${node}`]: JSON.stringify(record) }
      })
    },
  )
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: ReviewBody | undefined }>(
    `${API_PREFIX}/namespaces/:namespace/gates/:name/comment`,
    { schema: schema(reviewBody), config },
    (request) => {
      const { namespace, name } = request.params
      const identity = authorize(context, request, { verb: 'update', resource: 'executions', namespace })
      const body = request.body ?? {}
      return store.transact(
        (tx) =>
          reviewGate(
            tx,
            {
              namespace,
              name,
              action: 'comment',
              identity,
              ...(body.comment === undefined ? {} : { comment: body.comment }),
              ...(body.targetGeneration === undefined ? {} : { targetGeneration: body.targetGeneration }),
              ...(body.execution === undefined ? {} : { execution: body.execution }),
              ...(body.via === undefined ? {} : { via: body.via }),
            },
            { tokens: context.tokens, authorizer: context.authorizer, now: context.now() },
          ).gate,
        { dryRun: isDryRun(request.query) },
      )
    },
  )
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: RetryBody | undefined }>(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/retry`,
    { schema: schema(retryBody), config },
    (request) =>
      annotate(request, (execution, phase) => {
        if (phase !== 'Failed') throw conflict(execution.metadata.name, `only a Failed execution can be retried; ${JSON.stringify(execution.metadata.name)} is ${phase ?? 'Pending'}`, 'NotFailed')
        const nodes = request.body?.nodes ?? []
        const bad = nodes.findIndex((node) => !NODE_ID.test(node))
        if (bad >= 0) throw invalid(EXECUTIONS, execution.metadata.name, [{ reason: 'FieldValueInvalid', message: `${JSON.stringify(nodes[bad])} is not a node id`, field: `nodes[${bad}]` }])
        return { [RETRY_ANNOTATION]: context.now(), [RETRY_NODES_ANNOTATION]: nodes.length === 0 ? undefined : nodes.join(',') }
      }),
  )
}
