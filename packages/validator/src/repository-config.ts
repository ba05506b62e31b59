import type { RepositoryConfig } from '@planspec/core'
import { DEFAULT_LIMITS } from './limits.js'
import { decodeText, parseYamlFile } from './parse-yaml.js'
import { checkRepositoryConfigSchema } from './schema-check.js'

/** The repository configuration file, at the root of a repository (or of a folder the CLI is given). */
export const REPOSITORY_CONFIG_FILE = '.planspec.yaml'

/** The largest `.planspec.yaml` read (64 KiB): it is settings, not data. */
export const MAX_REPOSITORY_CONFIG_BYTES = 64 * 1024

/** The outcome of reading `.planspec.yaml`: the config, or why it cannot be used. */
export type RepositoryConfigRead = { readonly config: RepositoryConfig } | { readonly error: string }

/**
 * Reads the bytes of `.planspec.yaml` the one way every mode reads it (CLI, agent, Action): UTF-8
 * text of at most 64 KiB, one YAML document parsed with the validator's limits (no aliases, unique
 * keys), validated against the repository-config schema (`schemas/v1alpha1/repository-config.json`).
 * An empty file is the empty config. Never throws: an unusable file gives `{ error }`, a one-line
 * reason naming the first problems (each shell decides what to do with it).
 *
 * @example
 * parseRepositoryConfig(Buffer.from('paths: ["plans/**"]\n')) // { config: { paths: ['plans/**'] } }
 * parseRepositoryConfig(Buffer.from('paths: plans\n'))        // { error: '/paths: must be array' }
 */
export function parseRepositoryConfig(bytes: Uint8Array): RepositoryConfigRead {
  if (bytes.byteLength > MAX_REPOSITORY_CONFIG_BYTES) return { error: `the file is larger than ${MAX_REPOSITORY_CONFIG_BYTES} bytes` }
  const text = decodeText(bytes)
  if (text === undefined) return { error: 'the file is not UTF-8 text' }
  if (text.trim() === '') return { config: {} }
  const parsed = parseYamlFile(REPOSITORY_CONFIG_FILE, text, DEFAULT_LIMITS)
  const problem = parsed.findings.find((f) => f.severity === 'error')
  if (problem !== undefined) return { error: problem.message }
  if (parsed.documents.length !== 1) return { error: 'the file must hold one YAML document' }
  const value = parsed.documents[0]!.value ?? {}
  const issues = checkRepositoryConfigSchema(value)
  if (issues.length > 0) return { error: issues.slice(0, 3).map((issue) => `${issue.path || '/'}: ${issue.message}`).join('; ') }
  return { config: value as RepositoryConfig }
}
