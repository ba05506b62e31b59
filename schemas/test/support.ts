import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import { repositoryConfigSchemaId, schemaIdByKind, schemas, type SchemaKind } from '../index.js'

const addFormats = formats.default

export const schemasDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = resolve(schemasDir, '..')

/** Everything Ajv logged while compiling (strict-mode warnings included). */
export const ajvLog: string[] = []

/** A strict (default strict mode), allErrors Ajv with every PlanSpec schema added. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    logger: {
      log: () => undefined,
      warn: (...args: unknown[]) => void ajvLog.push(`warn: ${args.join(' ')}`),
      error: (...args: unknown[]) => void ajvLog.push(`error: ${args.join(' ')}`),
    },
  })
  addFormats(ajv)
  for (const schema of schemas) ajv.addSchema(schema)
  return ajv
}

export const ajv = createAjv()

export function validatorFor(kind: SchemaKind | 'RepositoryConfig'): ValidateFunction {
  const id = kind === 'RepositoryConfig' ? repositoryConfigSchemaId : schemaIdByKind[kind]
  const validate = ajv.getSchema(id)
  if (!validate) throw new Error(`no schema ${id}`)
  return validate
}

/** Validate a document by its `kind` (or as the repository config) and return the errors. */
export function errorsOf(doc: unknown, as?: SchemaKind | 'RepositoryConfig'): ErrorObject[] {
  const kind = as ?? ((doc as { kind?: SchemaKind }).kind as SchemaKind)
  const validate = validatorFor(kind)
  return validate(doc) ? [] : [...(validate.errors ?? [])]
}

/** `any` keeps mutation tables short: fixtures are plain JSON objects. */
export type Doc = any

/** A fresh copy of a fixture from test/fixtures. */
export function fixture(name: string): Doc {
  return JSON.parse(readFileSync(resolve(schemasDir, 'test/fixtures', `${name}.json`), 'utf8')) as Doc
}

export const summarize = (errors: readonly ErrorObject[]): string =>
  errors.map((e) => `${e.instancePath || '/'} ${e.keyword} ${JSON.stringify(e.params)}`).join('\n')
