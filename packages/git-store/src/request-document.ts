import { stringify } from 'yaml'
import { isRecord, parseDocument } from './internal/parse-document.js'
import { isDnsLabel } from './internal/status-layout.js'

/** What a person asks for (DECISIONS §5, §6); `comment` adds a note to a Gate's review history that never decides. */
export type RequestAction = 'approve' | 'reject' | 'comment' | 'cancel' | 'retry' | 'claim' | 'complete'

/** The kinds each action may target. */
export const REQUEST_TARGETS: Readonly<Record<RequestAction, readonly string[]>> = {
  approve: ['Gate'],
  reject: ['Gate'],
  comment: ['Gate'],
  cancel: ['Execution', 'Goal'],
  retry: ['Execution'],
  claim: ['Execution'],
  complete: ['Execution'],
}

/** One request from a person: an approval, a claim, a completion, a cancel or a retry. */
export interface PlanSpecRequest {
  readonly action: RequestAction
  /** The resource acted on. */
  readonly target: { readonly kind: string; readonly namespace: string; readonly name: string }
  /** The node, for claim and complete (required) and retry (optional). */
  readonly node?: string
  /** Who asks, as a reviewer subject: `user:LOGIN`, `email:ADDR`, `svc:NAME`. */
  readonly by: string
  readonly comment?: string
  /** Outputs of completed work (complete). */
  readonly outputs?: Readonly<Record<string, unknown>>
  /** The work failed (complete): the node fails with `comment` as its message. */
  readonly failed?: boolean
  /**
   * The client the request came through, when not the command line: `mcp:NAME/VERSION` for an AI
   * agent's MCP client. Recorded for the audit trail; it is never an identity.
   */
  readonly via?: string
  /** The generation decided on (approve, reject): a later spec change makes it stale. */
  readonly generation?: number
  /** The Execution decided for (approve, reject): its name and uid. Absent: every Execution waiting. */
  readonly execution?: { readonly name: string; readonly uid: string }
  /** The run content digest the reviewer saw (`sha256:<hex>`, approve and reject). */
  readonly digest?: string
  /** When it was made (RFC 3339); set by `appendRequest`. */
  readonly createdAt?: string
}

const ACTIONS = new Set<string>(Object.keys(REQUEST_TARGETS))
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/
const KEYS = new Set(['apiVersion', 'kind', 'id', 'action', 'target', 'node', 'by', 'comment', 'outputs', 'failed', 'via', 'generation', 'execution', 'digest', 'createdAt'])
const DIGEST = /^sha256:[0-9a-f]{64}$/
const VIA = /^[A-Za-z0-9._:@/+-]{1,128}$/
/** Largest request file (a completion's outputs included). */
export const MAX_REQUEST_BYTES = 64 * 1024

/**
 * Checks a request and returns the reason it is unacceptable, or undefined when it is fine:
 * a known action, a target of a kind that action allows with DNS-label names, a node when the
 * action needs one, `by` of 1-256 characters, a comment of at most 4096, outputs a mapping.
 */
export function requestProblem(request: unknown): string | undefined {
  if (!isRecord(request)) return 'a request must be a mapping'
  const { action, target, node, by, comment, outputs, failed, via, generation, createdAt, execution, digest } = request
  if (typeof action !== 'string' || !ACTIONS.has(action)) return `action must be one of ${[...ACTIONS].join(', ')}`
  if (!isRecord(target) || typeof target.kind !== 'string' || !REQUEST_TARGETS[action as RequestAction].includes(target.kind)) return `target.kind must be ${REQUEST_TARGETS[action as RequestAction].join(' or ')} for ${action}`
  if (!isDnsLabel(target.namespace) || !isDnsLabel(target.name)) return 'target.namespace and target.name must be DNS labels'
  if (Object.keys(target).length !== 3) return 'target has unknown fields'
  if (node !== undefined && !isDnsLabel(node)) return 'node must be a DNS label'
  if ((action === 'claim' || action === 'complete') && node === undefined) return `${action} needs a node`
  if (typeof by !== 'string' || by.length === 0 || by.length > 256 || CONTROL.test(by)) return 'by must be a subject of 1-256 characters'
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > 4096 || CONTROL.test(comment))) return 'comment must be text of at most 4096 characters'
  if (outputs !== undefined && !isRecord(outputs)) return 'outputs must be a mapping'
  if (failed !== undefined && (typeof failed !== 'boolean' || action !== 'complete')) return 'failed is a boolean of complete'
  if (via !== undefined && (typeof via !== 'string' || !VIA.test(via))) return 'via must be 1-128 characters of letters, digits and ._:@/+-'
  if (generation !== undefined && (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 1)) return 'generation must be a positive integer'
  if (createdAt !== undefined && (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))) return 'createdAt must be a time'
  if (execution !== undefined && (!isRecord(execution) || !isDnsLabel(execution.name) || typeof execution.uid !== 'string' || execution.uid.length === 0 || execution.uid.length > 128 || CONTROL.test(execution.uid) || Object.keys(execution).length !== 2)) return 'execution must be { name, uid }'
  if (digest !== undefined && (typeof digest !== 'string' || !DIGEST.test(digest))) return 'digest must be sha256:<64 hex>'
  if ((execution !== undefined || digest !== undefined) && action !== 'approve' && action !== 'reject' && action !== 'comment') return 'execution and digest belong to approve, reject and comment'
  return undefined
}

/** Renders a request file. */
export function renderRequest(id: string, request: PlanSpecRequest): string {
  const { action, target, node, by, comment, outputs, failed, via, generation, createdAt, execution, digest } = request
  const document = {
    apiVersion: 'planspec.io/v1alpha1',
    kind: 'Request',
    id,
    action,
    target: { kind: target.kind, namespace: target.namespace, name: target.name },
    ...(node === undefined ? {} : { node }),
    by,
    ...(comment === undefined ? {} : { comment }),
    ...(outputs === undefined ? {} : { outputs }),
    ...(failed === undefined ? {} : { failed }),
    ...(via === undefined ? {} : { via }),
    ...(generation === undefined ? {} : { generation }),
    ...(execution === undefined ? {} : { execution: { name: execution.name, uid: execution.uid } }),
    ...(digest === undefined ? {} : { digest }),
    ...(createdAt === undefined ? {} : { createdAt }),
  }
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })
}

/** Parses a request file; returns the reason when it is not a valid request. Never throws. */
export function parseRequest(path: string, bytes: Uint8Array, id: string): { readonly request: PlanSpecRequest } | { readonly error: string } {
  const parsed = parseDocument(path, bytes, MAX_REQUEST_BYTES)
  if (parsed.error !== undefined) return { error: parsed.error }
  const doc = parsed.value
  if (!isRecord(doc) || doc.kind !== 'Request' || typeof doc.apiVersion !== 'string' || !doc.apiVersion.startsWith('planspec.io/')) return { error: 'the document must be a planspec.io Request' }
  if (doc.id !== id) return { error: 'id must match the file name' }
  const unknown = Object.keys(doc).find((k) => !KEYS.has(k))
  if (unknown !== undefined) return { error: `unknown field ${JSON.stringify(unknown.slice(0, 40))}` }
  const problem = requestProblem(doc)
  if (problem) return { error: problem }
  const { apiVersion: _a, kind: _k, id: _i, ...request } = doc
  return { request: request as unknown as PlanSpecRequest }
}
