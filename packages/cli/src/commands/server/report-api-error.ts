import { EXIT, type CommandIO } from '../../io.js'
import { ApiRequestError, ServerUnreachableError } from '@planspec/client'
import { sanitizeTerminalText } from '@planspec/core'

// Text from a server must never drive the terminal.
const clean = sanitizeTerminalText

/**
 * Maps a failed API call to the exit code and one error line (plus its causes) on stderr: a
 * refusal of the request (403, 404, 409, 422, ...) is a failure (1); an unreachable server, a
 * missing or wrong token (401) and server errors are usage or I/O errors (2). Anything else is
 * rethrown, for `runCli` to report.
 *
 * @example
 * try { ... } catch (error) { return reportApiError(error, io) }
 */
export function reportApiError(error: unknown, io: CommandIO): number {
  if (error instanceof ServerUnreachableError) {
    io.stderr.write(`error: ${clean(error.message)}\n`)
    return EXIT.usage
  }
  if (!(error instanceof ApiRequestError)) throw error
  const hint = error.status === 401 ? ' (set PLANSPEC_TOKEN, or tokenEnv in the context, to a token the server knows)' : ''
  io.stderr.write(`error: ${clean(error.message)}${hint}\n`)
  for (const cause of error.causes) io.stderr.write(`  ${cause.field ? `${clean(cause.field)}: ` : ''}${clean(cause.message ?? cause.reason ?? '')}\n`)
  return error.status === 401 || error.status >= 500 ? EXIT.usage : EXIT.findings
}
