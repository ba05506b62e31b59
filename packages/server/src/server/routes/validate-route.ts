import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../error-catalog.js'
import { API_PREFIX, API_VERSION } from '../kinds.js'
import { errorResponses } from '../route-schemas.js'
import { identityOf } from '../server-context.js'

const diagnosticSchema = {
  type: 'object',
  required: ['code', 'severity', 'message', 'file', 'line', 'column', 'path'],
  properties: {
    code: { type: 'string' },
    severity: { type: 'string' },
    message: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    endLine: { type: 'integer' },
    endColumn: { type: 'integer' },
    path: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    fix: { type: 'object', additionalProperties: true },
  },
} as const

const responseSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'summary', 'diagnostics'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    summary: { type: 'object', properties: { files: { type: 'integer' }, resources: { type: 'integer' }, errors: { type: 'integer' }, warnings: { type: 'integer' } } },
    diagnostics: { type: 'array', items: diagnosticSchema },
  },
} as const

/**
 * Registers `POST /apis/planspec.io/v1alpha1/validate`: runs the same validator as the CLI and
 * answers 200 with its diagnostics (findings are data, never errors). The body is either
 * `{files: [{file, text}], compat?, closed?, defaultNamespace?}` (YAML text, validated exactly as
 * the CLI would, with file:line:col) or one resource / `List` as JSON (validated as `request.json`).
 * Any authenticated caller may validate; nothing is stored. The body (up to 16 MiB) is read as
 * bytes here, refused when it is not UTF-8, and parsed and validated in the validation workers
 * (time and memory limits), never on the event loop: the server keeps answering meanwhile.
 */
export async function validateRoute(app: FastifyInstance): Promise<void> {
  const { validation, limits } = app.planspec
  // This plugin's own JSON parser: the raw text goes to a worker, which parses and checks it.
  app.removeContentTypeParser(['application/json', 'application/merge-patch+json'])
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer
    if (!isUtf8(bytes)) return done(new ApiError('BadRequest', 'the request body is not valid UTF-8'))
    done(null, bytes.toString('utf8'))
  })
  app.post<{ Body: string }>(
    `${API_PREFIX}/validate`,
    { schema: { response: { 200: responseSchema, ...errorResponses } }, bodyLimit: limits.maxValidateBodyBytes, config: { mediaTypes: ['application/json'] } },
    async (request) => {
      identityOf(request)
      if (typeof request.body !== 'string') throw new ApiError('BadRequest', 'the request body must be JSON')
      const result = await validation.checkBody(request.body, limits.maxJsonDepth)
      return { apiVersion: API_VERSION, kind: 'ValidationResult', summary: result.summary, diagnostics: result.diagnostics }
    },
  )
}
