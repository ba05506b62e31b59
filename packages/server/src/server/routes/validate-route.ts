import type { SourceFile } from '@planspec/validator'
import type { FastifyInstance } from 'fastify'
import { API_PREFIX, API_VERSION } from '../kinds.js'
import { errorResponses } from '../route-schemas.js'
import { identityOf } from '../server-context.js'

interface ValidateBody {
  readonly files?: readonly { readonly file: string; readonly text: string }[]
  readonly compat?: boolean
  readonly closed?: boolean
  readonly defaultNamespace?: string
  readonly [field: string]: unknown
}

const bodySchema = {
  type: 'object',
  properties: {
    files: {
      type: 'array',
      maxItems: 10_000,
      items: { type: 'object', required: ['file', 'text'], properties: { file: { type: 'string', minLength: 1, maxLength: 4096 }, text: { type: 'string' } }, additionalProperties: false },
    },
    compat: { type: 'boolean' },
    closed: { type: 'boolean' },
    defaultNamespace: { type: 'string', maxLength: 63 },
  },
} as const

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
 * Any authenticated caller may validate; nothing is stored.
 */
export async function validateRoute(app: FastifyInstance): Promise<void> {
  const { validator, limits } = app.planspec
  app.post<{ Body: ValidateBody }>(
    `${API_PREFIX}/validate`,
    { schema: { body: bodySchema, response: { 200: responseSchema, ...errorResponses } }, bodyLimit: limits.maxValidateBodyBytes, config: { mediaTypes: ['application/json'] } },
    async (request) => {
      identityOf(request)
      const body = request.body
      const files: SourceFile[] = body.files !== undefined ? body.files.map((f) => ({ file: f.file, text: f.text })) : [{ file: 'request.json', text: JSON.stringify(body) }]
      const result = validator.validate(files, {
        ...(body.compat === undefined ? {} : { compat: body.compat }),
        ...(body.closed === undefined ? {} : { closed: body.closed }),
        ...(body.defaultNamespace === undefined ? {} : { defaultNamespace: body.defaultNamespace }),
      })
      return { apiVersion: API_VERSION, kind: 'ValidationResult', summary: result.summary, diagnostics: result.diagnostics }
    },
  )
}
