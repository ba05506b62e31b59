import { EXIT, type CommandIO } from '../../io.js'
import { clientFor, findByName, resolveServerKind, type ServerTarget } from '@planspec/client'
import { reportApiError } from './report-api-error.js'

/** Options of `planspec delete`. */
export interface ServerDeleteOptions extends ServerTarget {
  readonly kind: string
  readonly names: readonly string[]
  /** The namespace; when absent, each name is looked up in every namespace. */
  readonly namespace?: string
  readonly dryRun: boolean
  /** Succeed for names that do not exist (`--ignore-not-found`). */
  readonly ignoreNotFound: boolean
}

/**
 * Deletes resources of one kind by name on a server. Prints `kind/name deleted` (`(server dry
 * run)` with `--dry-run`). Exit 1 when a name does not exist (unless `--ignore-not-found`) or the
 * server refuses; every name is still tried.
 *
 * @example
 * await runServerDelete({ server, kind: 'execution', names: ['release-1'], dryRun: false, ignoreNotFound: false }, io)
 */
export async function runServerDelete(options: ServerDeleteOptions, io: CommandIO): Promise<number> {
  const kind = resolveServerKind(options.kind)
  const client = clientFor(options, io)
  let exit: number = EXIT.ok
  for (const name of options.names) {
    try {
      const found = await findByName(client, kind, name, options.namespace)
      if (found === undefined) {
        if (!options.ignoreNotFound) {
          io.stderr.write(`error: ${kind.kind.toLowerCase()} "${name}" not found${options.namespace ? ` in namespace "${options.namespace}"` : ''}\n`)
          exit = Math.max(exit, EXIT.findings)
        }
        continue
      }
      await client.request('DELETE', client.pathOf(kind, found.metadata.namespace, name), { query: { dryRun: options.dryRun ? 'All' : undefined } })
      io.stdout.write(`${kind.kind.toLowerCase()}/${name} deleted${options.dryRun ? ' (server dry run)' : ''}\n`)
    } catch (error) {
      exit = Math.max(exit, reportApiError(error, io))
    }
  }
  return exit
}
