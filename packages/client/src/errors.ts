import { PlanSpecError } from '@planspec/core'

/** Code of {@link ClientUsageError}. */
export const CLIENT_USAGE_ERROR_CODE = 'PLANSPEC_ERR_CLIENT_USAGE'
/** Code of {@link ClientRefusedError}. */
export const CLIENT_REFUSED_ERROR_CODE = 'PLANSPEC_ERR_CLIENT_REFUSED'

/**
 * The caller asked for something that cannot be meant: an unknown kind, a name that several
 * namespaces hold, a repository that does not exist. Command lines map it to a usage exit code;
 * tools return it as a coded result. Terminal: retrying cannot help.
 */
export class ClientUsageError extends PlanSpecError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super(message, { code: CLIENT_USAGE_ERROR_CODE, data, terminal: true })
  }
}

/**
 * The client could not act as anybody: no signing key, a key the allowed-signers file does not
 * list, a token the server does not know. `reason` is a PascalCase code (`NoSigningKey`,
 * `UnknownSigner`, `AmbiguousIdentity`, `Unauthorized`, ...).
 */
export class ClientRefusedError extends PlanSpecError {
  readonly reason: string
  constructor(reason: string, message: string) {
    super(message, { code: CLIENT_REFUSED_ERROR_CODE, data: { reason }, terminal: true })
    this.reason = reason
  }
}
