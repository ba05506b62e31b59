import type { Diagnostic } from '@planspec/core'
import { DEFAULT_LIMITS, parseYamlFile, type SourceFile, type ValidateOptions, type ValidationSummary } from '@planspec/validator'
import { jsonDeeperThan } from '../server/json-depth.js'

/** The validator options a job may carry (all plain data). */
export type JobOptions = Pick<ValidateOptions, 'compat' | 'closed' | 'defaultNamespace'>

/** Work sent to a validation worker. */
export type ValidationJob =
  | { readonly id: number; readonly type: 'files'; readonly files: readonly SourceFile[]; readonly options: JobOptions }
  | { readonly id: number; readonly type: 'body'; readonly text: string; readonly maxJsonDepth: number }
  | { readonly id: number; readonly type: 'yaml'; readonly text: string }

/** What a worker answers: the findings, or why the input is not valid at all (a 400). */
export type ValidationReply =
  | { readonly id: number; readonly ok: true; readonly diagnostics: readonly Diagnostic[]; readonly summary: ValidationSummary }
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string }

type Parsed = { readonly ok: true; readonly files: readonly SourceFile[]; readonly options: JobOptions } | { readonly ok: false; readonly message: string }

const isObj = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Parses the raw body of `POST .../validate` (in the worker: the body may be 16 MiB): nesting
 * bounded before parsing, `__proto__` and `constructor.prototype` keys refused (THREATS T7, T9),
 * then `{files: [{file, text}], compat?, closed?, defaultNamespace?}` (at most 10,000 files, names
 * of 1-4096 characters, no other fields), or any other JSON object, validated as one
 * `request.json` file (a resource or a `List`). Returns the files and options, or a 400 message.
 */
export function parseValidateBody(text: string, maxJsonDepth: number): Parsed {
  if (jsonDeeperThan(text, maxJsonDepth)) return { ok: false, message: `the request body nests deeper than ${maxJsonDepth} levels` }
  let body: unknown
  try {
    body = JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && isObj(value) && Object.hasOwn(value, 'prototype'))) throw new Error('poisoned')
      return value
    })
  } catch {
    return { ok: false, message: 'the request body is not valid JSON' }
  }
  if (!isObj(body)) return { ok: false, message: 'invalid request: body must be object' }
  if (body.files === undefined) return { ok: true, files: [{ file: 'request.json', text }], options: {} }
  const { files, compat, closed, defaultNamespace, ...rest } = body
  const extra = Object.keys(rest)
  if (extra.length > 0) return { ok: false, message: `invalid request: body must NOT have additional properties (${extra.join(', ')})` }
  if (!Array.isArray(files) || files.length > 10_000) return { ok: false, message: 'invalid request: body/files must be an array of at most 10000 items' }
  for (const [index, file] of files.entries()) {
    const name = isObj(file) ? file.file : undefined
    if (!isObj(file) || typeof name !== 'string' || name.length < 1 || name.length > 4096 || typeof file.text !== 'string' || Object.keys(file).some((k) => k !== 'file' && k !== 'text')) {
      return { ok: false, message: `invalid request: body/files/${index} must be {file, text} with a file name of 1-4096 characters` }
    }
  }
  if ((compat !== undefined && typeof compat !== 'boolean') || (closed !== undefined && typeof closed !== 'boolean')) return { ok: false, message: 'invalid request: compat and closed must be booleans' }
  if (defaultNamespace !== undefined && (typeof defaultNamespace !== 'string' || defaultNamespace.length > 63)) return { ok: false, message: 'invalid request: defaultNamespace must be a string of at most 63 characters' }
  const options: JobOptions = { ...(compat === undefined ? {} : { compat }), ...(closed === undefined ? {} : { closed }), ...(defaultNamespace === undefined ? {} : { defaultNamespace }) }
  return { ok: true, files: (files as { file: string; text: string }[]).map((f) => ({ file: f.file, text: f.text })), options }
}

/**
 * Parses one YAML document (an apply configuration, `application/apply-patch+yaml`) with the
 * validator's pinned options and limits (YAML 1.2 core schema, no aliases, duplicate keys
 * refused, depth pre-scanned): the value, or the first problem as a 400 message.
 */
export function parseYamlDocument(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string } {
  const parsed = parseYamlFile('request.yaml', text, DEFAULT_LIMITS)
  const problem = parsed.findings.find((f) => f.severity === 'error')
  if (problem !== undefined) return { ok: false, message: `the request body is not valid YAML: ${problem.message}` }
  if (parsed.documents.length !== 1) return { ok: false, message: 'the request body must hold exactly one YAML document' }
  return { ok: true, value: parsed.documents[0]!.value }
}
