import { DEFAULT_LIMITS, decodeText, parseYamlFile } from '@planspec/validator'

/** The outcome of parsing one single-document YAML file the store reads or wrote itself. */
export type ParsedDocumentResult = { readonly value: unknown; readonly error?: undefined } | { readonly value?: undefined; readonly error: string }

/**
 * Parses a single-document YAML file (status, request, lease, `.planspec.yaml`) with the
 * validator's loader, so every limit and parse option is the one manifests get (THREATS T6-T8):
 * size checked before decoding, depth pre-scanned, YAML 1.2 core schema, no aliases, no duplicate
 * keys. Never throws.
 */
export function parseDocument(file: string, bytes: Uint8Array, maxBytes: number): ParsedDocumentResult {
  if (bytes.byteLength > maxBytes) return { error: `the file is ${bytes.byteLength} bytes, more than the ${maxBytes}-byte limit` }
  const text = decodeText(bytes)
  if (text === undefined) return { error: 'the file is not UTF-8 text' }
  const parsed = parseYamlFile(file, text, { ...DEFAULT_LIMITS, maxFileBytes: maxBytes, maxDocumentsPerFile: 1 })
  const problem = parsed.findings.find((f) => f.severity === 'error')
  if (problem) return { error: `${problem.code} ${problem.message}` }
  const documents = parsed.documents.filter((d) => d.value !== undefined && d.value !== null)
  if (documents.length !== 1) return { error: documents.length ? 'the file holds more than one document' : 'the file is empty' }
  return { value: documents[0]!.value }
}

/** Tells whether a value is a plain mapping (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
