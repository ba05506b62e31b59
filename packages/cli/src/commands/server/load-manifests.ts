import { renderText } from '@planspec/reporter'
import { kindInfo, type SchemaKind } from '@planspec/schemas'
import { UsageError, useColor, type CommandIO } from '../../io.js'
import { DEFAULTS, validatePaths } from '../validate.js'

/** One resource read from the files, ready to send. */
export interface Manifest {
  readonly kind: string
  readonly name: string
  /** Set for namespaced kinds. */
  readonly namespace?: string
  readonly file: string
  readonly object: Record<string, unknown>
}

/**
 * Reads the PlanSpec resources under `paths` (files, directories, `-` for stdin) and validates
 * them offline first, so a mistake is reported with file:line:col before anything reaches the
 * server: with errors, they are printed on stderr and the result is undefined. A resource without
 * `metadata.namespace` goes to `namespace` (the `-n` flag or the context's), else to the
 * `.planspec.yaml` namespace, else `default`. Status in the files is dropped (the server ignores it).
 *
 * @example
 * const manifests = await loadManifests(['examples/minimal'], { namespace: undefined }, io)
 */
export async function loadManifests(paths: readonly string[], options: { readonly namespace?: string }, io: CommandIO): Promise<Manifest[] | undefined> {
  if (paths.length === 0) throw new UsageError('name the files with -f PATH (a file, a directory, or - for stdin)')
  const result = await validatePaths({ paths, compat: false, closed: false, ...DEFAULTS }, io)
  const errors = result.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) {
    io.stderr.write(renderText(errors, { ...result.summary, errors: errors.length, warnings: 0 }, { color: useColor(io) && Boolean(io.stderr.isTTY), sources: result.sources }))
    return undefined
  }
  if (result.resources.length === 0) throw new UsageError(`no PlanSpec resources found in ${paths.join(' ')}`)
  return result.resources.map((resource) => {
    const metadata = (resource.value.metadata ?? {}) as Record<string, unknown>
    const namespaced = kindInfo[resource.kind as SchemaKind]?.namespaced ?? true
    const namespace = namespaced ? ((metadata.namespace as string | undefined) ?? options.namespace ?? resource.namespace) : undefined
    const { status: _status, ...rest } = resource.value
    const object = { ...rest, metadata: { ...metadata, ...(namespace === undefined ? {} : { namespace }) } }
    return { kind: resource.kind, name: resource.name, ...(namespace === undefined ? {} : { namespace }), file: resource.file, object }
  })
}
