import { createHmac } from 'node:crypto'
import { clip, isPlainObject, keepDeclared, parseJsonObject } from './internal/outputs.js'
import { vettedRequest, type HttpDeps } from './internal/vetted-request.js'
import { maskText } from './internal/mask-text.js'
import type { DispatchRequest, DispatchResult, Provider } from './types.js'

/** Poll interval proposed for a `202 Accepted` task unless `config.pollIntervalMs` sets one. */
export const DEFAULT_POLL_INTERVAL_MS = 10_000

/** Effects and policy of the HTTP provider. */
export interface HttpProviderDeps extends HttpDeps {
  /** Where `config.secretEnv` is looked up (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Creates the `http://` / `https://` provider. `dispatch` POSTs `{ runId, node, attempt, inputs }`
 * as JSON to the provider URI, with `Idempotency-Key: <runId>` and, when `config.secretEnv` names
 * an env var, `X-PlanSpec-Signature: sha256=<hex HMAC-SHA256 of the body>` keyed by its value
 * (the key is redacted from every message and never logged). The URL is vetted as described in
 * `vettedRequest` (allow-list, one DNS resolution, no private addresses, pinned IP, no
 * redirects, body cap, per-request timeout of `req.timeoutMs` or `config.timeoutMs` or 30 s).
 *
 * Answers: `200`/`201` with a JSON object body → succeeded with its `outputs` object (absent →
 * `{}`); `204` → succeeded with `{}`; `202` with `{ statusUrl }` or a `Location` header →
 * pending with `poll` (relative URLs resolved against the request URL); a non-object body →
 * `InvalidOutput`; any other status → `HttpError` (the body never reaches the message).
 *
 * `status(runId, poll)` GETs the poll URL (vetted the same way) and expects
 * `{ state: 'pending' | 'succeeded' | 'failed', outputs?, message? }`; `failed` becomes
 * `RemoteFailed` with the service's message, redacted and clipped. Outputs from `status` are not
 * filtered (the request's declared outputs are not known there): the runner filters them.
 */
export function createHttpProvider(deps: HttpProviderDeps): Provider {
  return {
    schemes: ['http', 'https'],
    dispatch: (req) => dispatchHttp(deps, req),
    status: (runId, poll) => (poll === undefined ? Promise.resolve(undefined) : pollHttp(deps, runId, poll.url)),
  }
}

async function dispatchHttp(deps: HttpProviderDeps, req: DispatchRequest): Promise<DispatchResult> {
  const secrets = [...(deps.secrets ?? [])]
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'idempotency-key': req.runId,
  }
  const body = JSON.stringify({ runId: req.runId, node: req.node, attempt: req.attempt, inputs: req.inputs })
  const secretEnv = req.config['secretEnv']
  if (secretEnv !== undefined) {
    const key = typeof secretEnv === 'string' ? (deps.env ?? process.env)[secretEnv] : undefined
    if (key === undefined || key === '') {
      return { outcome: 'failed', reason: 'InvalidConfig', message: 'config.secretEnv does not name a set env var' }
    }
    secrets.push(key)
    deps.redactor?.add([key])
    headers['x-planspec-signature'] = `sha256=${createHmac('sha256', key).update(body).digest('hex')}`
  }
  const configTimeout = req.config['timeoutMs']
  const res = await vettedRequest(
    { ...deps, secrets },
    {
      url: req.provider,
      method: 'POST',
      headers,
      body,
      timeoutMs: req.timeoutMs ?? (typeof configTimeout === 'number' ? configTimeout : undefined),
      signal: req.signal,
    },
  )
  if (!res.ok) return { outcome: 'failed', reason: res.reason, message: res.message }
  const { status } = res.response
  const where = `${res.url.protocol}//${res.url.host}`
  if (status === 204) return { outcome: 'succeeded', outputs: {} }
  if (status === 200 || status === 201) {
    const json = parseJsonObject(res.response.body.toString('utf8'))
    const outputs = json?.['outputs'] ?? {}
    if (json === undefined || !isPlainObject(outputs)) {
      return { outcome: 'failed', reason: 'InvalidOutput', message: `${where} did not answer a JSON object with outputs` }
    }
    return { outcome: 'succeeded', ...keepDeclared(outputs, req.declaredOutputs) }
  }
  if (status === 202) {
    const json = parseJsonObject(res.response.body.toString('utf8'))
    const link = typeof json?.['statusUrl'] === 'string' ? json['statusUrl'] : res.response.headers['location']
    let pollUrl: string
    try {
      if (link === undefined) throw new Error('no status URL')
      pollUrl = new URL(link, res.url).href
    } catch {
      return { outcome: 'failed', reason: 'InvalidOutput', message: `${where} answered 202 without a status URL` }
    }
    const interval = req.config['pollIntervalMs']
    return {
      outcome: 'pending',
      poll: { url: pollUrl, intervalMs: typeof interval === 'number' ? interval : DEFAULT_POLL_INTERVAL_MS },
    }
  }
  return { outcome: 'failed', reason: 'HttpError', message: `${where} answered ${status}` }
}

async function pollHttp(deps: HttpProviderDeps, runId: string, url: string): Promise<DispatchResult> {
  const res = await vettedRequest(deps, {
    url,
    method: 'GET',
    headers: { accept: 'application/json', 'idempotency-key': runId },
  })
  if (!res.ok) return { outcome: 'failed', reason: res.reason, message: res.message }
  const where = `${res.url.protocol}//${res.url.host}`
  if (res.response.status !== 200) {
    return { outcome: 'failed', reason: 'HttpError', message: `${where} answered ${res.response.status}` }
  }
  const json = parseJsonObject(res.response.body.toString('utf8'))
  const state = json?.['state']
  if (state === 'pending') return { outcome: 'pending', poll: { url, intervalMs: DEFAULT_POLL_INTERVAL_MS } }
  if (state === 'succeeded') {
    const outputs = json?.['outputs'] ?? {}
    if (isPlainObject(outputs)) return { outcome: 'succeeded', outputs: Object.fromEntries(Object.entries(outputs)) }
  }
  if (state === 'failed') {
    const message = typeof json?.['message'] === 'string' ? json['message'] : 'remote task failed'
    return { outcome: 'failed', reason: 'RemoteFailed', message: clip(maskText(deps, message)) }
  }
  return { outcome: 'failed', reason: 'InvalidOutput', message: `${where} answered an unknown status document` }
}
