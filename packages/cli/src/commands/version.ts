import { apiVersion } from '@planspec/schemas'
import { clientFor } from '@planspec/client'
import { EXIT, type CommandIO } from '../io.js'
import { VERSION } from '../version.js'
import { resolveContext } from './server/resolve-context.js'

/**
 * Runs `planspec --version`: the command line's version and the schema version it validates
 * against; when the current context (or `--server`) is an API server, also the server's version
 * from its `/version` route (kubectl's), or why it could not be read. Exit 0 either way: the local
 * versions are always known.
 *
 * @example
 * await runVersion({}, io)
 * // planspec 0.1.0
 * // schema planspec.io/v1alpha1
 */
export async function runVersion(flags: { readonly server?: string; readonly context?: string }, io: CommandIO): Promise<number> {
  io.stdout.write(`planspec ${VERSION}\nschema ${apiVersion}\n`)
  const target = await resolveContext(flags, io).catch(() => undefined)
  if (target?.mode !== 'server') return EXIT.ok
  try {
    const client = clientFor({ server: target.server, ...(target.token ? { token: target.token } : {}), ...(target.ca ? { ca: target.ca } : {}), requestTimeoutMs: io.requestTimeoutMs ?? 5000 }, io)
    const { body } = await client.request<{ gitVersion?: unknown; planspec?: unknown }>('GET', '/version')
    const version = typeof body.planspec === 'string' ? body.planspec : typeof body.gitVersion === 'string' ? body.gitVersion : undefined
    io.stdout.write(`server ${version ?? 'unknown'} (${client.server})\n`)
  } catch (error) {
    io.stdout.write(`server unknown (${target.server}: ${(error as Error).message})\n`)
  }
  return EXIT.ok
}
