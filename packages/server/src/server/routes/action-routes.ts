import type { StoredResource } from '@planspec/engine'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { invalid } from '../admit-object.js'
import { CANCEL_ANNOTATION, COMPLETE_ANNOTATION_PREFIX, RETRY_ANNOTATION, RETRY_NODES_ANNOTATION } from '../admit-status.js'
import { ApiError } from '../error-catalog.js'
import { reviewGate } from '../gate-review.js'
import { API_PREFIX, kindByName } from '../kinds.js'
import { isDryRun } from '../route-helpers.js'
import { fixedNameParams, objectResponses, writeQuerySchema } from '../route-schemas.js'
import { authorize } from '../server-context.js'
import { readObject } from '../write-object.js'

const EXECUTIONS = kindByName('Execution')!
const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled'])
const NODE_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

type Action<B> = FastifyRequest<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: B | undefined }>
interface ReviewBody {
  readonly comment?: string
  readonly targetGeneration?: number
  readonly execution?: string
  readonly digest?: string
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
  },
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
 * - complete (`POST .../executions/NAME/complete`, verb `update`), for a node waiting for a worker
 *   only (else 409), sets `planspec.io/complete.<node>` to `{ outputs?, failed?, message?, by, at }`.
 */
export async function actionRoutes(app: FastifyInstance): Promise<void> {
  const context = app.planspec
  const { store } = context

  const review = (action: 'approve' | 'reject') => (request: Action<ReviewBody>): StoredResource => {
    const { namespace, name } = request.params
    const identity = authorize(context, request, { verb: 'approve', resource: 'gates', namespace, name })
    const body = request.body ?? {}
    const { gate, counted, refusals } = store.transact(
      (tx) =>
        reviewGate(
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
          },
          { tokens: context.tokens, authorizer: context.authorizer, now: context.now() },
        ),
      { dryRun: isDryRun(request.query) },
    )
    const refusal = refusals[0]
    if (counted === 0 && refusal !== undefined) {
      const causes = refusals.map((r) => ({ reason: r.reason, message: `${REFUSAL_MESSAGES[r.reason] ?? r.reason}${r.execution === undefined ? '' : ` (execution ${r.execution.name})`}; the action was recorded but does not count` }))
      const forbidden = refusal.reason === 'SelfApproval' || refusal.reason === 'NotEligible'
      throw new ApiError(forbidden ? 'Forbidden' : 'Conflict', `${action} of gate ${JSON.stringify(name)} does not count: ${refusal.reason}`, { name, group: 'planspec.io', kind: 'gates', causes })
    }
    return gate
  }
  const schema = (body: object) => ({ params: fixedNameParams, querystring: writeQuerySchema, body, response: objectResponses() })
  const config = { mediaTypes: ['application/json'] }
  app.post(`${API_PREFIX}/namespaces/:namespace/gates/:name/approve`, { schema: schema(reviewBody), config }, review('approve'))
  app.post(`${API_PREFIX}/namespaces/:namespace/gates/:name/reject`, { schema: schema(reviewBody), config }, review('reject'))

  const annotate = (request: Action<unknown>, change: (execution: StoredResource, phase: string | undefined) => Record<string, string | undefined> | undefined): StoredResource => {
    const { namespace, name } = request.params
    authorize(context, request, { verb: 'update', resource: 'executions', namespace, name })
    return store.transact(
      (tx) => {
        const execution = readObject(tx, EXECUTIONS, { kind: 'Execution', namespace, name })
        const annotations = change(execution, (execution.status as { phase?: string } | undefined)?.phase)
        if (annotations === undefined) return execution
        const { status: _status, ...rest } = execution
        const merged = Object.fromEntries(Object.entries({ ...execution.metadata.annotations, ...annotations }).filter(([, value]) => value !== undefined))
        return tx.update({ ...rest, metadata: { ...execution.metadata, annotations: merged } })
      },
      { dryRun: isDryRun(request.query) },
    )
  }
  const conflict = (name: string, message: string): ApiError => new ApiError('Conflict', message, { name, group: 'planspec.io', kind: 'executions' })
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: undefined }>(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/cancel`,
    { schema: schema(cancelBody), config },
    (request) =>
      annotate(request, (execution, phase) => {
        if (TERMINAL.has(phase ?? '')) throw conflict(execution.metadata.name, `execution ${JSON.stringify(execution.metadata.name)} has already finished (${phase})`)
        return execution.metadata.annotations?.[CANCEL_ANNOTATION] === 'true' ? undefined : { [CANCEL_ANNOTATION]: 'true' }
      }),
  )
  // Claimable work (DECISIONS §4): a worker completes a node that waits for one (Blocked,
  // AwaitingClaim). Recorded as an annotation the Execution controller reads; 409 otherwise.
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: { node: string; outputs?: Record<string, unknown>; failed?: boolean; message?: string } }>(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/complete`,
    { schema: schema(completeBody), config },
    (request) => {
      const { namespace, name } = request.params
      const identity = authorize(context, request, { verb: 'update', resource: 'executions', namespace, name })
      return annotate(request, (execution) => {
        const { node, outputs, failed, message } = request.body
        if (!NODE_ID.test(node)) throw invalid(EXECUTIONS, execution.metadata.name, [{ reason: 'FieldValueInvalid', message: `${JSON.stringify(node)} is not a node id`, field: 'node' }])
        const waiting = (execution.status as { nodeStatuses?: Record<string, { phase?: string; reason?: string }> } | undefined)?.nodeStatuses?.[node]
        if (waiting?.phase !== 'Blocked' || waiting.reason !== 'AwaitingClaim') throw conflict(execution.metadata.name, `node ${JSON.stringify(node)} of execution ${JSON.stringify(execution.metadata.name)} is not waiting for a worker (${waiting?.phase ?? 'unknown'})`)
        const record = { ...(outputs === undefined ? {} : { outputs }), ...(failed === undefined ? {} : { failed }), ...(message === undefined ? {} : { message }), by: identity.user, at: context.now() }
        return { [`${COMPLETE_ANNOTATION_PREFIX}${node}`]: JSON.stringify(record) }
      })
    },
  )
  app.post<{ Params: { namespace: string; name: string }; Querystring: { dryRun?: string }; Body: RetryBody | undefined }>(
    `${API_PREFIX}/namespaces/:namespace/executions/:name/retry`,
    { schema: schema(retryBody), config },
    (request) =>
      annotate(request, (execution, phase) => {
        if (phase !== 'Failed') throw conflict(execution.metadata.name, `only a Failed execution can be retried; ${JSON.stringify(execution.metadata.name)} is ${phase ?? 'Pending'}`)
        const nodes = request.body?.nodes ?? []
        const bad = nodes.findIndex((node) => !NODE_ID.test(node))
        if (bad >= 0) throw invalid(EXECUTIONS, execution.metadata.name, [{ reason: 'FieldValueInvalid', message: `${JSON.stringify(nodes[bad])} is not a node id`, field: `nodes[${bad}]` }])
        return { [RETRY_ANNOTATION]: context.now(), [RETRY_NODES_ANNOTATION]: nodes.length === 0 ? undefined : nodes.join(',') }
      }),
  )
}
