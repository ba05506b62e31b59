// Every branch of error mapping (STYLE: no branch of error mapping untested), and small helpers.
import { StoreAlreadyExistsError, StoreConflictError, StoreGoneError, StoreNotFoundError } from '@planspec/core'
import { describe, expect, it } from 'vitest'
import { API_ERRORS, ApiError } from '../src/index.js'
import { toStatus } from '../src/server/error-catalog.js'
import { StoreUnavailableError } from '../src/store/store-errors.js'
import { fieldPath } from '../src/server/field-path.js'
import { jsonDeeperThan } from '../src/server/json-depth.js'

const key = { kind: 'Goal', namespace: 'team', name: 'a' }
const fastifyError = (code: string, statusCode = 400) => Object.assign(new Error('x'), { code, statusCode })

describe('toStatus', () => {
  it.each([
    ['an ApiError', new ApiError('Invalid', 'bad', { causes: [{ reason: 'FieldValueInvalid', message: 'm', field: 'f' }] }), 422, 'Invalid', false],
    ['a store not-found', new StoreNotFoundError(key), 404, 'NotFound', false],
    ['a store already-exists', new StoreAlreadyExistsError(key), 409, 'AlreadyExists', false],
    ['a store conflict', new StoreConflictError(key, '1', '2'), 409, 'Conflict', false],
    ['a store gone', new StoreGoneError('1', '5'), 410, 'Gone', false],
    ['an unreachable database', new StoreUnavailableError('writing: connect ECONNREFUSED 10.0.0.5:5432'), 503, 'ServiceUnavailable', false],
    ['a body too large', fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), 413, 'RequestEntityTooLarge', false],
    ['an unsupported media type', fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 415, 'UnsupportedMediaType', false],
    ['a bad content length', fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH'), 400, 'BadRequest', false],
    ['an empty JSON body', fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY'), 400, 'BadRequest', false],
    ['an invalid JSON body', fastifyError('FST_ERR_CTP_INVALID_JSON_BODY'), 400, 'BadRequest', false],
    ['a schema validation error', Object.assign(new Error('querystring/limit must be integer'), { validation: [] }), 400, 'BadRequest', false],
    ['a JSON syntax error', Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }), 400, 'BadRequest', false],
    ['an unexpected Error', new Error('secret internal detail'), 500, 'InternalError', true],
    ['an unknown fastify error', fastifyError('FST_ERR_SOMETHING', 500), 500, 'InternalError', true],
    ['a thrown string', 'oops', 500, 'InternalError', true],
    ['a thrown null', null, 500, 'InternalError', true],
  ])('maps %s', (_what, error, code, reason, unexpected) => {
    const mapped = toStatus(error)
    expect(mapped.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason })
    expect(mapped.unexpected).toBe(unexpected)
    if (unexpected) expect(mapped.status.message).toBe('an internal error occurred')
  })

  it('closes the connection only for refused bodies, and carries store details', () => {
    expect(toStatus(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413)).closeConnection).toBe(true)
    expect(toStatus(new StoreConflictError(key, '1', '2')).closeConnection).toBe(false)
    expect(toStatus(new StoreNotFoundError(key)).status.details).toEqual({ name: 'a', group: 'planspec.io', kind: 'Goal' })
    expect(toStatus(new StoreGoneError('1', '5')).status.details).toBeUndefined()
    // An unreachable database: retry in a second; the driver's message (addresses) stays in the log.
    const unavailable = toStatus(new StoreUnavailableError('writing: connect ECONNREFUSED 10.0.0.5:5432')).status
    expect(unavailable.details).toEqual({ retryAfterSeconds: 1 })
    expect(unavailable.message).toBe('the database is unavailable; retry later')
  })

  it('has one entry per reason, each with a PLANSPEC_ERR_API_ code and a 4xx/5xx status', () => {
    for (const [name, entry] of Object.entries(API_ERRORS)) {
      expect(entry.reason).toBe(name)
      expect(entry.code).toMatch(/^PLANSPEC_ERR_API_[A-Z_]+$/)
      expect(entry.status).toBeGreaterThanOrEqual(400)
    }
    expect(new Set(Object.values(API_ERRORS).map((e) => e.code)).size).toBe(Object.keys(API_ERRORS).length)
    expect(new ApiError('Conflict', 'm').toJSON()).toMatchObject({ code: 'PLANSPEC_ERR_API_CONFLICT', data: { reason: 'Conflict' } })
  })
})

describe('helpers', () => {
  it('formats JSON pointers as Kubernetes field paths', () => {
    expect(fieldPath('')).toBe('')
    expect(fieldPath('/spec/graph/nodes/0/id')).toBe('spec.graph.nodes[0].id')
    expect(fieldPath('/metadata/labels/planspec.io~1goal')).toBe('metadata.labels[planspec.io/goal]')
    expect(fieldPath('/a~0b')).toBe('[a~b]')
  })

  it('measures JSON nesting without being fooled by brackets inside strings', () => {
    expect(jsonDeeperThan('[[[1]]]', 2)).toBe(true)
    expect(jsonDeeperThan('[[[1]]]', 3)).toBe(false)
    expect(jsonDeeperThan('{"a":"[[[[[[\\"[[[["}', 1)).toBe(false)
    expect(jsonDeeperThan('{"a":{"b":[{}]}}', 3)).toBe(true)
  })
})
